import { UserError } from '../../util/userError';

export type HubErrorCode =
  /** The network is unusable (offline mode, unreachable host, dropped connection, 5xx) and the cache lacks files. */
  | 'unavailable'
  | 'unauthorized'
  | 'gated'
  | 'repo-not-found'
  | 'revision-not-found'
  /** A file the model cannot do without is not in the repository. */
  | 'file-not-found'
  /** The downloaded bytes do not match the size or sha256 the hub announced. */
  | 'integrity'
  | 'http';

/** Every failure of resolving a hub model; the message names the model id and the files concerned. */
export class HubError extends UserError {
  override name = 'HubError';
  constructor(
    readonly code: HubErrorCode,
    readonly modelId: string,
    message: string,
    /** Repository-relative names of the files concerned (for 'unavailable': those missing from the cache). */
    readonly files: string[] = [],
  ) {
    super(message);
  }
}
