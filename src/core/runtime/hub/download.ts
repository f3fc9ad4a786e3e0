import { createHash } from 'node:crypto';
import { writeFileAtomic } from '../../util/atomicWrite';
import { DownloadSizeCap, SizeLimitError } from './sizeCap';

/**
 * One file from the hub over Node's fetch (undici), streamed to disk.
 *
 * Redirects are followed by hand: the hub answers `/resolve/` for large (LFS) files with a 302 to a
 * CDN, and only that first response carries `X-Repo-Commit` (which snapshot the file belongs to),
 * `X-Linked-Size` and `X-Linked-Etag` (the file's sha256). The auth token is sent only to the
 * endpoint's own origin, never to the CDN.
 */

const MAX_REDIRECTS = 10;

export interface HubResponseInfo {
  /** X-Repo-Commit of the first response that had one. */
  commit?: string;
  /** X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo). */
  errorCode?: string;
  /** sha256 from X-Linked-Etag, for LFS files. */
  sha256?: string;
  /** X-Linked-Size, or the final Content-Length. */
  size?: number;
}

export type OpenedFile =
  | { status: 'found'; info: HubResponseInfo; response: Response }
  | { status: 'http-error'; httpStatus: number; info: HubResponseInfo; url: string };

/** A failure of the transport (connection refused, reset, DNS, dropped mid-body), not an HTTP status. */
export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** The bytes that arrived do not match the announced size or sha256. */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

export interface OpenOptions {
  token?: string;
  signal?: AbortSignal;
  userAgent?: string;
}

export async function openHubFile(url: string, options: OpenOptions): Promise<OpenedFile> {
  const endpointOrigin = new URL(url).origin;
  const info: HubResponseInfo = {};
  let current = new URL(url);
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = {
      // Identity encoding keeps Content-Length meaningful for the completeness check.
      'accept-encoding': 'identity',
      'user-agent': options.userAgent ?? 'bert-lens',
    };
    if (options.token && current.origin === endpointOrigin) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: 'manual', signal: options.signal });
    } catch (error) {
      throw rethrowAbortOr(error, options.signal, `cannot reach ${current.origin} (${describeCause(error)})`);
    }
    collectHubHeaders(response.headers, info);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel().catch(() => undefined);
      current = new URL(location, current);
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { status: 'http-error', httpStatus: response.status, info, url: current.toString() };
    }
    const contentLength = Number(response.headers.get('content-length') ?? NaN);
    if (Number.isSafeInteger(contentLength)) {
      if (info.size !== undefined && info.size !== contentLength) {
        await response.body?.cancel().catch(() => undefined);
        throw new IntegrityError(`the hub announced ${info.size} bytes but the server sends ${contentLength}`);
      }
      info.size = contentLength;
    }
    return { status: 'found', info, response };
  }
  throw new NetworkError(`more than ${MAX_REDIRECTS} redirects starting at ${url}`);
}

/**
 * Streams the body into `target` through a temporary file that is renamed only after every byte
 * arrived and matched the announced size and sha256; on any failure the target is left untouched
 * (absent, for a first download) and the temporary file is removed.
 */
export async function saveHubFile(
  opened: Extract<OpenedFile, { status: 'found' }>,
  target: string,
  onProgress: (loaded: number, total: number | undefined) => void,
  signal?: AbortSignal,
  cap: DownloadSizeCap = new DownloadSizeCap(target),
): Promise<number> {
  const { response, info } = opened;
  const total = info.size;
  let loaded = 0;
  try {
    cap.checkAnnounced(total);
  } catch (error) {
    await response.body?.cancel().catch(() => undefined);
    throw error;
  }
  async function* verifiedChunks(): AsyncGenerator<Uint8Array> {
    const hash = info.sha256 ? createHash('sha256') : undefined;
    onProgress(0, total);
    if (response.body) {
      try {
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
          loaded += chunk.byteLength;
          if (total !== undefined && loaded > total) throw new IntegrityError(`received more than the announced ${total} bytes`);
          cap.accept(chunk, loaded);
          hash?.update(chunk);
          yield chunk;
          onProgress(loaded, total);
        }
      } catch (error) {
        if (error instanceof IntegrityError || error instanceof SizeLimitError) throw error;
        throw rethrowAbortOr(error, signal, `the connection dropped after ${loaded}${total !== undefined ? ` of ${total}` : ''} bytes (${describeCause(error)})`);
      }
    }
    if (total !== undefined && loaded !== total) {
      throw new NetworkError(`the download stopped after ${loaded} of ${total} bytes`);
    }
    cap.finish(loaded);
    if (hash && info.sha256) {
      const digest = hash.digest('hex');
      if (digest !== info.sha256) throw new IntegrityError(`sha256 ${digest} differs from the announced ${info.sha256}`);
    }
  }
  await writeFileAtomic(target, verifiedChunks());
  return loaded;
}

function collectHubHeaders(headers: Headers, info: HubResponseInfo): void {
  info.commit ??= headers.get('x-repo-commit') ?? undefined;
  info.errorCode ??= headers.get('x-error-code') ?? undefined;
  const linkedSize = Number(headers.get('x-linked-size') ?? NaN);
  if (info.size === undefined && Number.isSafeInteger(linkedSize)) info.size = linkedSize;
  const etag = headers.get('x-linked-etag')?.replace(/^W\//, '').replace(/"/g, '');
  if (info.sha256 === undefined && etag && /^[0-9a-f]{64}$/.test(etag)) info.sha256 = etag;
}

/** An aborted request surfaces as the signal's reason (a DOMException named AbortError by default). */
function rethrowAbortOr(error: unknown, signal: AbortSignal | undefined, message: string): unknown {
  if (signal?.aborted) return signal.reason ?? error;
  return new NetworkError(message, { cause: error });
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
