import { describe, expect, it } from 'vitest';
import { vsixContentProblems } from '../../../scripts/e2e/packageVsix';

const ort = 'extension/node_modules/onnxruntime-node';
const good = [
  'extension.vsixmanifest',
  '[Content_Types].xml',
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/webview.js',
  `${ort}/package.json`,
  `${ort}/dist/index.js`,
  `${ort}/bin/napi-v6/linux/x64/onnxruntime_binding.node`,
  `${ort}/bin/napi-v6/linux/x64/libonnxruntime.so.1`,
  'extension/node_modules/onnxruntime-common/package.json',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/tokenizers/package.json',
  'extension/node_modules/tokenizers/index.js',
  'extension/node_modules/tokenizers/tokenizers.linux-x64-gnu.node',
  'extension/models/ner/onnx/model.onnx',
];

describe('vsixContentProblems', () => {
  it('accepts a package with the linux-x64 runtimes (ONNX Runtime, tokenizers), the bundle and models', () => {
    expect(vsixContentProblems(good, ['extension.js', 'webview.js'])).toEqual([]);
  });

  it('names every problem: other platforms, dev files, extra dependencies, missing binary and dist files', () => {
    const bad = [
      ...good.filter((name) => !name.endsWith('libonnxruntime.so.1')),
      `${ort}/bin/napi-v6/darwin/arm64/onnxruntime_binding.node`,
      `${ort}/bin/napi-v6/win32/x64/onnxruntime.dll`,
      'extension/node_modules/tokenizers/tokenizers.win32-x64-msvc.node',
      'extension/dist/extension.js.map',
      'extension/node_modules/onnxruntime-common/dist/cjs/index.d.ts',
      'extension/node_modules/adm-zip/package.json',
      'extension/src/extension.ts',
    ];
    expect(vsixContentProblems(bad, ['extension.js', 'webview.js', 'worker.js'])).toEqual([
      `missing ${ort}/bin/napi-v6/linux/x64/libonnxruntime.so.1`,
      'missing extension/dist/worker.js (in dist/ but not packaged: extend .vscodeignore)',
      `unexpected ${ort}/bin/napi-v6/darwin/arm64/onnxruntime_binding.node (native binary of another platform)`,
      `unexpected ${ort}/bin/napi-v6/win32/x64/onnxruntime.dll (native binary of another platform)`,
      'unexpected extension/node_modules/tokenizers/tokenizers.win32-x64-msvc.node (native binary of another platform)',
      'unexpected extension/dist/extension.js.map (source map)',
      'unexpected extension/node_modules/onnxruntime-common/dist/cjs/index.d.ts (type declarations)',
      'unexpected extension/node_modules/adm-zip/package.json (dependency that esbuild already bundled)',
      'unexpected extension/src/extension.ts (repository sources)',
    ]);
  });
});
