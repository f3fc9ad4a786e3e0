import * as path from 'node:path';
import { STORE_DIR } from '../../core/data/annotationStore';

/** Where a document's annotations live: the store of its workspace folder, under its relative path. */
export interface DocumentLocation {
  /** The workspace folder (absolute file-system path); its `.bert-lens/` holds the store. */
  folderDir: string;
  /** The document's path relative to the folder, with `/` separators: the store's key. */
  path: string;
}

/**
 * The store key of a file inside a workspace folder, or a reason why it has none (outside the
 * folder, or one of the store's own files, which are never annotated).
 */
export function locateDocument(folderDir: string, filePath: string, pathApi: typeof path = path): DocumentLocation | { reason: string } {
  const relative = pathApi.relative(folderDir, filePath);
  if (relative === '' || relative.startsWith('..') || pathApi.isAbsolute(relative)) {
    return { reason: 'the file is not inside a workspace folder' };
  }
  const key = relative.split(pathApi.sep).join('/');
  if (key === STORE_DIR || key.startsWith(`${STORE_DIR}/`)) return { reason: `files in ${STORE_DIR}/ hold the annotations themselves` };
  return { folderDir, path: key };
}

export function isLocation(value: DocumentLocation | { reason: string }): value is DocumentLocation {
  return 'path' in value;
}

/** Store keys under a renamed file or folder, with their new keys. */
export function renamedKeys(keys: readonly string[], from: string, to: string): Array<[string, string]> {
  const moved: Array<[string, string]> = [];
  for (const key of keys) {
    if (key === from) moved.push([key, to]);
    else if (key.startsWith(`${from}/`)) moved.push([key, `${to}${key.slice(from.length)}`]);
  }
  return moved;
}
