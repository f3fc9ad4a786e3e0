import { promises as fs } from 'node:fs';
import type { ParseIssue } from '../../core/data/parseResult';
import { decodeText as decodeCoreText } from '../../core/util/textFile';
import type { CliIO } from '../verb';
import { UsageError } from '../args';

/**
 * Reads a text file for a task: refuses binary files and invalid UTF-8 with one clear line instead
 * of running a model on garbage.
 */
export async function readTextFile(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readStdin() : await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file}: no such file` : code === 'EISDIR' ? `${file}: is a directory` : `${file}: ${(error as Error).message}`);
  }
  return decodeText(bytes, file);
}

export function decodeText(bytes: Uint8Array, name: string): string {
  try {
    return decodeCoreText(bytes, name);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Skipped lines of data files, as FILE:LINE: message (the first 20; the rest would bury the output). */
export function reportDataIssues(io: CliIO, issues: readonly ParseIssue[]): void {
  for (const issue of issues.slice(0, 20)) io.stderr(`${issue.file}:${issue.line}: ${issue.message}\n`);
}
