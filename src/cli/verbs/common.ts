import { promises as fs } from 'node:fs';
import type { ParseIssue } from '../../core/data/parseResult';
import { DataError, exampleCount, type TaskData } from '../../core/train/trainingData';
import {
  DEFAULT_SEGMENTATION, SEGMENT_PACKINGS, SEGMENTATION_MODES, type SegmentationMode, type SegmentPacking,
} from '../../core/tasks/shared/segmentation';
import { checkEncoding, decodeText as decodeCoreText } from '../../core/util/textFile';
import type { CliIO } from '../verb';
import { stringFlag, UsageError, type ParsedArgs } from '../args';

/** The `--encoding NAME` flag every verb that reads a text file takes. */
export const ENCODING_FLAG = { encoding: 'string' } as const;
export const ENCODING_USAGE = '  --encoding NAME     text files\' encoding (default: from a UTF-8/UTF-16 BOM, else UTF-8; any WHATWG label, e.g. latin1, utf-16le)';

/** --segmentation (and --packing where a verb has it): checked before anything is read or loaded. */
export function segmentationFlag(args: ParsedArgs): SegmentationMode {
  const segmentation = stringFlag(args, 'segmentation') ?? DEFAULT_SEGMENTATION;
  if (!SEGMENTATION_MODES.includes(segmentation as SegmentationMode)) {
    throw new UsageError(`--segmentation must be one of ${SEGMENTATION_MODES.join(', ')}, got "${segmentation}"`);
  }
  return segmentation as SegmentationMode;
}

/** --packing, or undefined when not given: the model folder's `bert_lens_packing` decides (segmentPackingOf). */
export function packingFlag(args: ParsedArgs): SegmentPacking | undefined {
  const packing = stringFlag(args, 'packing');
  if (packing === undefined) return undefined;
  if (!SEGMENT_PACKINGS.includes(packing as SegmentPacking)) {
    throw new UsageError(`--packing must be one of ${SEGMENT_PACKINGS.join(', ')}, got "${packing}"`);
  }
  return packing as SegmentPacking;
}

/** --encoding, checked before anything is read or loaded (an unknown name exits 2 with one line). */
export function encodingFlag(args: ParsedArgs): string | undefined {
  const name = stringFlag(args, 'encoding');
  if (name === undefined) return undefined;
  checkEncoding(name);
  return name;
}

/**
 * Reads a text file for a task (`-`: standard input) in `encoding` (default: from its BOM, else UTF-8):
 * refuses binary files and undecodable bytes with one clear line instead of running a model on garbage.
 */
export async function readTextFile(file: string, encoding?: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readStdin() : await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file}: no such file` : code === 'EISDIR' ? `${file}: is a directory` : `${file}: ${(error as Error).message}`);
  }
  return decodeCoreText(bytes, file, { encoding });
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

/**
 * Refuses a data file with no usable example (empty, or every record malformed) as bad input, so that
 * a run never reports metrics over nothing (or fails later with a confusing message).
 */
export function requireExamples(data: TaskData, file: string): void {
  if (exampleCount(data) > 0) return;
  const skipped = data.issues.length;
  throw new DataError(`${file}: no usable ${data.task === 'ner' ? 'sentences' : data.task === 'mlm' ? 'texts' : 'examples'}${skipped > 0 ? ` (${skipped} skipped, see above)` : ' (the file has none)'}`);
}
