import { PostprocessError } from './errors';

/**
 * `config.id2label` as found in config.json (string keys "0", "1", ...) or already as a list.
 * Every postprocessor takes either form.
 */
export type Id2Label = Readonly<Record<string, string>> | Readonly<Record<number, string>> | readonly string[];

/** The labels as a dense list; throws when an id in 0..n-1 has no label. */
export function labelList(id2label: Id2Label): string[] {
  if (Array.isArray(id2label)) return [...(id2label as readonly string[])];
  const record = id2label as Readonly<Record<string, string>>;
  const count = Object.keys(record).length;
  const labels: string[] = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const label = record[String(i)];
    if (typeof label !== 'string') throw new PostprocessError(`id2label must number labels 0..${count - 1}; ${i} is missing`);
    labels[i] = label;
  }
  return labels;
}
