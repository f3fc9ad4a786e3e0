/**
 * Child process for the store's kill test: opens the store and mutates it forever. Before each
 * mutation it prints `B <op json>`, after the mutation's promise resolved (= committed) `A <seq>`.
 * stdout is a pipe, which Node writes synchronously on Linux, so a printed line is never lost by the
 * SIGKILL that ends this process.
 */
import { AnnotationStore } from '../../../../src/core/data/annotationStore';
import { mulberry32, randomInt } from './prng';

export interface WriterOp {
  seq: number;
  kind: 'put' | 'delete';
  path: string;
  text?: string;
  label?: string;
}

async function main(): Promise<void> {
  const [workspace, seedText] = process.argv.slice(2);
  const random = mulberry32(Number(seedText));
  const store = await AnnotationStore.open(workspace!);
  const alphabet = 'abcdefghij klmnop qrstuv wxyz 😀 é\n';
  for (let seq = 0; ; seq++) {
    const path = `docs/file-${randomInt(random, 30)}.txt`;
    const op: WriterOp =
      random() < 0.2
        ? { seq, kind: 'delete', path }
        : {
            seq,
            kind: 'put',
            path,
            text: `${seq}:` + Array.from({ length: 200 + randomInt(random, 6000) }, () => alphabet[randomInt(random, alphabet.length)]).join(''),
            label: `L${randomInt(random, 4)}`,
          };
    process.stdout.write(`B ${JSON.stringify(op)}\n`);
    if (op.kind === 'delete') await store.delete(op.path);
    else await store.put({ text: op.text!, spans: [{ start: 0, end: 2, label: op.label! }], meta: { path: op.path } });
    process.stdout.write(`A ${seq}\n`);
  }
}

void main();
