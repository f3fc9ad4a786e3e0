import type { HeadKind } from '../../core/bert/heads';
import type { LoadedModel } from '../../core/runtime/loadModel';
import { loadTaskModel } from '../../core/tasks/shared/taskModel';
import { booleanFlag, numberFlag, stringFlag, UsageError, type ParsedArgs } from '../args';
import type { CliIO } from '../verb';
import { ENCODING_FLAG, ENCODING_USAGE, encodingFlag, readTextFile } from './common';

/** Flags every model-running verb takes. */
export const MODEL_FLAGS = { model: 'string', threads: 'string', quantized: 'boolean', json: 'boolean', ...ENCODING_FLAG } as const;

export const MODEL_FLAGS_USAGE = `  --threads N         ONNX Runtime threads (default: all cores)
  --quantized         int8 weights (faster, slightly less exact)
  --json              print the HF-shaped result as JSON
${ENCODING_USAGE}`;

/**
 * Loads --model (or the fallback) for a task's head. Without --model and without a fallback the verb
 * refuses with a message saying which kind of model to pass.
 */
export async function loadModelForVerb(args: ParsedArgs, head: HeadKind, io: CliIO, fallback?: string): Promise<LoadedModel> {
  const reference = stringFlag(args, 'model') ?? fallback;
  if (!reference) throw new UsageError(`--model DIR|ID is required: no ${head} model is bundled (pass a folder or a hub id of a ${head} BERT)`);
  const json = booleanFlag(args, 'json');
  return loadTaskModel(reference, {
    head,
    quantized: booleanFlag(args, 'quantized'),
    threads: numberFlag(args, 'threads', { integer: true, min: 0 }),
    onProgress: (p) => {
      if (!json && p.total) io.stderr(`\rdownloading ${p.file}: ${Math.round((100 * p.loaded) / p.total)}%`);
    },
  });
}

/** A text given inline (--NAME "...") or from a file (--NAME-file FILE, - for stdin); exactly one. */
export async function inlineOrFileText(args: ParsedArgs, name: string): Promise<string | undefined> {
  const inline = stringFlag(args, name);
  const file = stringFlag(args, `${name}-file`);
  if (inline !== undefined && file !== undefined) throw new UsageError(`give --${name} or --${name}-file, not both`);
  return file !== undefined ? readTextFile(file, encodingFlag(args)) : inline;
}

/** Runs a task with the model released afterwards, also when the task fails. */
export async function withModel<T>(model: LoadedModel, run: (model: LoadedModel) => Promise<T>): Promise<T> {
  try {
    return await run(model);
  } finally {
    await model.session.release();
  }
}

export function noExtraPositionals(positionals: readonly string[], allowed: number): void {
  if (positionals.length > allowed) throw new UsageError(`unexpected argument "${positionals[allowed]}"`);
}
