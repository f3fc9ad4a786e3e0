import { promises as fs } from 'node:fs';

/*
 * models/manifest.json says what each bundled model is, in words for the UI:
 *   { "ner": { "description": "bundled (untrained demo)" }, ... }
 * Replacing a bundled model means updating its entry; the extension has no wording of its own.
 */

export interface BundledModelEntry {
  description: string;
}

export type BundledManifest = Record<string, BundledModelEntry>;

/** The fallback when the manifest is missing or has no entry: says no more than what is known. */
export const UNKNOWN_BUNDLED_DESCRIPTION = 'bundled';

export function parseBundledManifest(json: string): BundledManifest {
  const data: unknown = JSON.parse(json);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('models/manifest.json must be an object of tasks');
  const manifest: BundledManifest = {};
  for (const [task, entry] of Object.entries(data as Record<string, unknown>)) {
    const description = (entry as { description?: unknown } | null)?.description;
    if (typeof description !== 'string' || description.trim() === '') throw new Error(`models/manifest.json: "${task}" needs a "description" string`);
    manifest[task] = { description: description.trim() };
  }
  return manifest;
}

export function bundledDescription(manifest: BundledManifest | undefined, task: string): string {
  return manifest?.[task]?.description ?? UNKNOWN_BUNDLED_DESCRIPTION;
}

/** Reads models/manifest.json; a missing or malformed file is reported and yields undefined. */
export async function readBundledManifest(file: string, report: (problem: string) => void): Promise<BundledManifest | undefined> {
  try {
    return parseBundledManifest(await fs.readFile(file, 'utf8'));
  } catch (error) {
    report(`${file}: ${(error as Error).message}`);
    return undefined;
  }
}
