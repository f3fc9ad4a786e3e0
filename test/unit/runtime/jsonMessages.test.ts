import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseBertConfig } from '../../../src/core/bert/config';
import { inspectModelFolder, ModelFolderError } from '../../../src/core/runtime/modelFolder';
import { parseSafetensors } from '../../../src/core/runtime/safetensors';
import { bertTokenizerFromFiles } from '../../../src/core/runtime/tokenizer/tokenizerFiles';

/*
 * Issue 16, small leaks: a config.json that is a symlink to /etc/passwd was refused with V8's message,
 * which quotes the target's content ("root:x:0:0"…). Messages about unparsable files name the file,
 * line and column and the one offending character, never a stretch of the text.
 */

const SECRET = 'root:x:0:0:secret-hash-7f3a:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n';
let work: string;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'bert-lens-json-messages-'));
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

function expectNoContent(message: string): void {
  for (const fragment of ['root', 'secret', 'daemon', 'nologin', 'x:0:0']) expect(message).not.toContain(fragment);
  expect(message).not.toContain('\n');
}

describe('messages about unparsable JSON quote nothing of the file', () => {
  it('a config.json symlinked to a passwd-like file outside the folder is not read at all', async () => {
    const secretFile = path.join(work, 'passwd');
    await fs.writeFile(secretFile, SECRET);
    const dir = path.join(work, 'model');
    await fs.mkdir(dir);
    await fs.symlink(secretFile, path.join(dir, 'config.json'));
    await fs.writeFile(path.join(dir, 'vocab.txt'), '[PAD]\n[UNK]\n');
    const error = await inspectModelFolder(dir).then(() => undefined, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ModelFolderError);
    // The symbolic-link rule (test/unit/runtime/modelFileLinks.test.ts) refuses it before it is parsed.
    expect(error!.message).toBe(`${path.join(dir, 'config.json')} is a symbolic link that leads out of the model folder ${dir}; not read (copy the file into the folder instead)`);
    expectNoContent(error!.message);
  });

  it('a config.json holding such text in the folder: the JSON error names line, column and one character', async () => {
    const dir = path.join(work, 'model-copy');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'config.json'), SECRET);
    await fs.writeFile(path.join(dir, 'vocab.txt'), '[PAD]\n[UNK]\n');
    const error = await inspectModelFolder(dir).then(() => undefined, (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(ModelFolderError);
    expect(error!.message).toBe(`${path.join(dir, 'config.json')}:1:1: invalid JSON (unexpected 'r')`);
    expectNoContent(error!.message.replace(dir, ''));
  });

  it('tokenizer.json and tokenizer_config.json', () => {
    const tokenizer = (() => {
      try {
        bertTokenizerFromFiles({ tokenizerJson: `{"model": ${SECRET}` }, '/m');
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(tokenizer).toBe("/m/tokenizer.json:1:11: invalid JSON (unexpected 'r')");
    expectNoContent(tokenizer);
  });

  it('a safetensors header', () => {
    const header = Buffer.from(`{"a": ${SECRET.split('\n')[0]}}`);
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    let message = '';
    try {
      parseSafetensors(Buffer.concat([prefix, header]), 'm.safetensors');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe("m.safetensors: header is not valid JSON (unexpected 'r' at 1:7)");
    expectNoContent(message);
  });
});

describe('config.json values in messages are cut short', () => {
  // Found by npm run fuzz (config-json, "wrong types"): a 3,000-character model_type came back whole.
  const base = { vocab_size: 30, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16 };
  it.each(['model_type', 'hidden_act', 'position_embedding_type', 'vocab_size', 'num_labels'])('%s', (field) => {
    const config = { ...base, [field]: `${SECRET}${'x'.repeat(3000)}` };
    let error: unknown;
    try {
      parseBertConfig(config, 'config.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(field);
    expect(message.length).toBeLessThan(200);
    expect(message).not.toContain('x'.repeat(50));
  });
});
