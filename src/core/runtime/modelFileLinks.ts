import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../util/userError';

/** A missing or corrupt file of a model folder; `file` is its absolute path and the message names it. */
export class ModelFolderError extends UserError {
  override name = 'ModelFolderError';
  constructor(readonly file: string, message: string) {
    super(message);
  }
}

/**
 * The one gate every reader of a model folder's files passes before opening one (issue 16): a file
 * that is, or lies under, a symbolic link is followed only when its real path stays inside the
 * folder, or, for a folder in a Hugging Face cache repo (`models--org--name/snapshots/<rev>/…`),
 * inside that repo's directory, whose `blobs/` the snapshot files link to. Any other link is refused
 * with a message that names the file and nothing of what it points at: a config.json linked to
 * /etc/passwd must not get the target read, parsed and quoted. Absent files pass (their reader
 * reports them as missing).
 */
export async function checkModelFileLink(root: string, file: string): Promise<void> {
  const real = await fs.realpath(file).catch(() => undefined);
  if (real === undefined) return;
  const folder = path.resolve(root);
  const realFolder = await fs.realpath(folder).catch(() => folder);
  if (isInside(real, realFolder)) return;
  for (const repo of new Set([hubCacheRepo(realFolder), hubCacheRepo(folder)])) {
    if (repo === undefined) continue;
    const realRepo = await fs.realpath(repo).catch(() => repo);
    if (isInside(real, realRepo)) return;
  }
  throw new ModelFolderError(
    file,
    `${file} is a symbolic link that leads out of the model folder ${folder}; not read (copy the file into the folder instead)`,
  );
}

/** `path.join(root, name)` once `checkModelFileLink` lets it through. */
export async function modelFilePath(root: string, name: string): Promise<string> {
  const file = path.join(root, name);
  await checkModelFileLink(root, file);
  return file;
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/** The `models--*` directory of an HF cache repo when `dir` is a snapshot folder or lies inside one. */
function hubCacheRepo(dir: string): string | undefined {
  const parts = dir.split(path.sep);
  for (let i = parts.length - 3; i >= 0; i--) {
    if (parts[i]!.startsWith('models--') && parts[i + 1] === 'snapshots' && parts[i + 2] !== '') return parts.slice(0, i + 1).join(path.sep) || path.sep;
  }
  return undefined;
}
