import * as path from 'node:path';
import wabtModule from 'wabt';

export const OPTIMIZER_WAT = path.join(__dirname, '..', 'src', 'core', 'train', 'kernels', 'optimizer.wat');

/** The binary of a WebAssembly text module (SIMD enabled), as wabt's wat2wasm writes it. */
export async function compileWat(source: string): Promise<Uint8Array> {
  const wabt = await wabtModule();
  const parsed = wabt.parseWat('optimizer.wat', source, { simd: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    return parsed.toBinary({ log: false, write_debug_names: false }).buffer;
  } finally {
    parsed.destroy();
  }
}
