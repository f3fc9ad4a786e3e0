/** A model on the hub: `owner/name` (or a legacy single name such as `bert-base-uncased`) at a revision. */
export interface HubModelRef {
  id: string;
  /** Branch, tag or commit from `id@revision`; undefined when the text names none. */
  revision?: string;
}

// The hub's own rule (huggingface_hub validate_repo_id): word characters, '-' and '.', at most one
// '/', no '--' or '..', at most 96 characters.
const REPO_ID = /^(?:[\w.-]+\/)?[\w.-]+$/;

/** Parses `owner/name[@revision]`; undefined when the text cannot be a hub id. */
export function parseHubModelId(text: string): HubModelRef | undefined {
  const at = text.indexOf('@');
  const id = at < 0 ? text : text.slice(0, at);
  const revision = at < 0 ? undefined : text.slice(at + 1);
  if (!REPO_ID.test(id) || id.length > 96 || id.includes('--') || id.includes('..')) return undefined;
  if (id.split('/').some((part) => part.startsWith('.') || part.startsWith('-') || part.endsWith('.') || part.endsWith('-'))) return undefined;
  if (revision !== undefined && (revision === '' || /[\s\\]|\.\./.test(revision))) return undefined;
  return revision === undefined ? { id } : { id, revision };
}

export function isCommitHash(revision: string): boolean {
  return /^[0-9a-f]{40}$/.test(revision);
}
