import * as http from 'node:http';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for the Hugging Face hub: `GET /{owner}/{name}/resolve/{revision}/{file}`
 * serves the files of a folder, with the hub's headers (X-Repo-Commit, X-Error-Code) and its
 * behaviour for large files: a 302 to a CDN on another origin with X-Linked-Size and X-Linked-Etag.
 * Faults can be injected per file.
 */

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const LFS = /\.(safetensors|onnx)$/;

export interface FakeRepo {
  dir: string;
  /** Requests without `Authorization: Bearer <token>` get 401 like a private repo. */
  token?: string;
}

export type Fault =
  /** Send the full Content-Length, half the body, then destroy the socket. */
  | 'drop-mid-body'
  /** Send half the body and then nothing until the client goes away. */
  | 'stall-mid-body'
  /** Announce a wrong sha256 in X-Linked-Etag. */
  | 'wrong-sha256'
  | 'server-error'
  /** Announce no size (no X-Linked-Size, no Content-Length: a chunked body). */
  | 'no-size'
  /** Announce no size and, after the file, keep sending bytes until the client goes away. */
  | 'no-size-endless';

export interface FakeHub {
  endpoint: string;
  /** Every request, as "METHOD path" (hub and CDN). */
  requests: string[];
  /** Authorization headers seen by the CDN (must stay empty: tokens are for the hub only). */
  cdnAuthorizations: string[];
  /** Faults by repository-relative file name, each applied once to the next download of that file. */
  faults: Map<string, Fault>;
  close(): Promise<void>;
}

export async function startFakeHub(repos: Record<string, FakeRepo>): Promise<FakeHub> {
  const requests: string[] = [];
  const cdnAuthorizations: string[] = [];
  const faults = new Map<string, Fault>();
  const blobs = new Map<string, Buffer>();
  const sockets = new Set<import('node:net').Socket>();

  const cdn = http.createServer((req, res) => {
    requests.push(`CDN ${req.method} ${req.url}`);
    if (req.headers.authorization) cdnAuthorizations.push(req.headers.authorization);
    const [, sha, ...fileParts] = (req.url ?? '').split('/');
    const body = blobs.get(sha ?? '');
    if (!body) return void res.writeHead(404).end();
    serveBody(res, body, takeFault(fileParts.join('/')));
  });

  const hub = http.createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const match = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(req.url ?? '');
    if (!match) return void res.writeHead(400).end();
    const [, id, revision, file] = match as unknown as [string, string, string, string];
    const repo = repos[id];
    if (!repo || (repo.token && req.headers.authorization !== `Bearer ${repo.token}`)) {
      return void res.writeHead(401, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' }).end('Repository not found');
    }
    if (decodeURIComponent(revision) !== 'main' && revision !== COMMIT) {
      return void res.writeHead(404, { 'x-error-code': 'RevisionNotFound' }).end('Invalid rev id');
    }
    const body = await fs.readFile(path.join(repo.dir, file)).catch(() => undefined);
    if (!body) return void res.writeHead(404, { 'x-error-code': 'EntryNotFound', 'x-repo-commit': COMMIT }).end('Entry not found');
    if (LFS.test(file)) {
      const sha = createHash('sha256').update(body).digest('hex');
      blobs.set(sha, body);
      const wrongSha = faults.get(file) === 'wrong-sha256' && faults.delete(file);
      const announced = wrongSha ? 'f'.repeat(64) : sha;
      const sizeless = faults.get(file)?.startsWith('no-size') ?? false;
      res.writeHead(302, {
        location: `${cdnEndpoint}/${sha}/${file}`,
        'x-repo-commit': COMMIT,
        ...(sizeless ? {} : { 'x-linked-size': String(body.byteLength) }),
        'x-linked-etag': `"${announced}"`,
      });
      return void res.end();
    }
    res.setHeader('x-repo-commit', COMMIT);
    serveBody(res, body, takeFault(file));
  });

  function takeFault(key: string): Fault | undefined {
    const fault = faults.get(key);
    faults.delete(key);
    return fault;
  }

  function serveBody(res: http.ServerResponse, body: Buffer, fault: Fault | undefined): void {
    if (fault === 'server-error') return void res.writeHead(503).end('busy');
    if (fault === 'no-size' || fault === 'no-size-endless') return serveSizeless(res, body, fault === 'no-size-endless');
    res.writeHead(200, { 'content-length': String(body.byteLength), 'content-type': 'application/octet-stream' });
    if (fault === 'drop-mid-body' || fault === 'stall-mid-body') {
      res.write(body.subarray(0, body.byteLength >> 1), () => {
        if (fault === 'drop-mid-body') setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(body);
  }

  /** A chunked body; `endless` follows the file with more bytes (up to 1 GiB) for as long as the client reads. */
  function serveSizeless(res: http.ServerResponse, body: Buffer, endless: boolean): void {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.write(body.subarray(0, body.byteLength >> 1));
    if (!endless) return void res.end(body.subarray(body.byteLength >> 1));
    res.write(body.subarray(body.byteLength >> 1));
    const filler = Buffer.alloc(65536, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (!res.destroyed && sent < 2 ** 30) {
        sent += filler.byteLength;
        if (!res.write(filler)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  }

  for (const server of [hub, cdn]) server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (server: http.Server) => new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
  const endpoint = await listen(hub);
  const cdnEndpoint = await listen(cdn);

  return {
    endpoint, requests, cdnAuthorizations, faults,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all([hub, cdn].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
