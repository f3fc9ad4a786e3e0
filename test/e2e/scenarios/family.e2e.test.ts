// A newcomer's check for the BERT family (issue 15): a token-classification folder as the hub has it,
// with no ONNX (the extension converts it on first use), set as the NER model, then F1 "BERT Lens:
// Recognize Entities" on a document of several sentences. Two architectures with two tokenizer types:
// - RoBERTa: config.json with model_type "roberta", model.safetensors, a byte-level BPE tokenizer.json,
//   tokenizer_config.json, special_tokens_map.json;
// - DeBERTa-v3: model_type "deberta-v2" with disentangled attention (log buckets, share_att_key),
//   model.safetensors, a SentencePiece spm.model and the hub's two-line tokenizer_config.json (the
//   tokenizer.json is built from spm.model on first use).
// The fixtures' weights are seeded, not trained: which words get which label is the PyTorch port's
// argmax (test/unit/family/hubFolders.test.ts checks that, through `bert-lens ner`); here the editor
// must show them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, SAMPLE_WORKSPACE_DIR } from '../../../scripts/e2e/layout';
import { EXTENSION_ID, startSession, type E2eSession } from '../harness/session';

const FIRST_RUN_TIMEOUT_MS = 90_000;
const FAMILY = path.join(REPO_ROOT, 'test', 'fixtures', 'family');
const TEXT = 'Angela Merkel met Emmanuel Macron in Paris.  Then Ada Lovelace wrote notes. (Paris) is far.\nLondon too.\n';

interface FolderCase {
  architecture: string;
  fixture: string;
  files: string[];
  /** Names the artifacts folder and the screenshot. */
  scenario: string;
  key: string;
}

const CASES: FolderCase[] = [
  { architecture: 'RoBERTa', fixture: 'roberta-hub-token-classification', scenario: 'family', key: 'roberta',
    files: ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] },
  { architecture: 'DeBERTa-v3', fixture: 'deberta-v3-hub-token-classification', scenario: 'family-deberta', key: 'deberta',
    files: ['config.json', 'model.safetensors', 'spm.model', 'tokenizer_config.json'] },
];

describe.each(CASES)('Recognize Entities with a $architecture folder', ({ fixture, files, scenario, key }) => {
  const document = `${key}-people.txt`;
  let session: E2eSession;
  let workspace: string;

  beforeAll(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), `bert-lens-e2e-${scenario}-`));
    fs.cpSync(SAMPLE_WORKSPACE_DIR, workspace, { recursive: true });
    const model = path.join(workspace, 'models', `${key}-ner`);
    fs.mkdirSync(model, { recursive: true });
    for (const file of files) fs.copyFileSync(path.join(FAMILY, fixture, file), path.join(model, file));
    fs.writeFileSync(path.join(workspace, document), TEXT);
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), `${JSON.stringify({ 'bertLens.ner.model': `./models/${key}-ner` }, null, 2)}\n`);
    session = await startSession({ scenario, workspaceSource: workspace });
  });

  afterAll(async () => {
    await session?.close();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('converts the folder, decorates entities and lists them in the Entities view by label', async () => {
    const { workbench } = session;
    const page = workbench.page;
    await workbench.openFile(document);
    await workbench.runCommand('BERT Lens: Recognize Entities');
    await expect.poll(async () => (await workbench.decorations()).length, { timeout: FIRST_RUN_TIMEOUT_MS, interval: 500 }).toBeGreaterThan(0);
    const decorations = await workbench.decorations();
    console.log(`[e2e ${scenario}] ${decorations.length} decorated elements: ${JSON.stringify(decorations.slice(0, 8).map((d) => d.text))}`);
    // Every decorated piece is text of the document (an entity never starts at the space before a word).
    for (const { text } of decorations) expect(text.replace(/\u00a0/g, ' ').startsWith(' '), JSON.stringify(text)).toBe(false);

    await workbench.runCommand('BERT Lens: Focus on Entities View');
    const rows = page.locator('.part.sidebar .monaco-list-row');
    await expect.poll(async () => (await rows.allInnerTexts()).join(' | '), { timeout: 20_000 }).toMatch(/\b(PER|LOC)\s*\d+/);
    console.log(`[e2e ${scenario}] Entities view rows: ${JSON.stringify((await rows.allInnerTexts()).slice(0, 8))}`);
    await workbench.screenshot(`${key}-entities`);
  });

  it('logged no extension errors', () => {
    expect(session.logs.extensionErrors(EXTENSION_ID)).toEqual([]);
  });
});
