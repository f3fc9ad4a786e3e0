import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ANNOTATION_SETTING_DEFAULTS, readAnnotationSettings } from '../../../../src/host/annotation/annotationSettings';

interface Manifest {
  contributes: {
    commands: Array<{ command: string; title: string; category?: string }>;
    keybindings: Array<{ key: string; command: string; args?: unknown; when?: string }>;
    menus: Record<string, Array<{ command: string; when?: string; group?: string }>>;
    configuration: { properties: Record<string, { default: unknown; markdownDescription?: string }> };
  };
}

const manifest = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as Manifest;
const source = (file: string): string => readFileSync(new URL(`../../../../src/host/annotation/${file}`, import.meta.url), 'utf8');

const COMMANDS = [
  'bertLens.labelSelection',
  'bertLens.labelWithKey',
  'bertLens.toggleAnnotationMode',
  'bertLens.removeLabel',
  'bertLens.changeLabel',
  'bertLens.acceptPrediction',
  'bertLens.acceptPredictions',
  'bertLens.exportAnnotations',
  'bertLens.importAnnotations',
  'bertLens.deleteLabel',
  'bertLens.renameLabel',
  'bertLens.filterEntities',
  'bertLens.revealAnnotation',
  'bertLens.reviewPredictions',
  'bertLens.reviewClassifications',
  'bertLens.reviewAccept',
  'bertLens.reviewReject',
  'bertLens.reviewChangeLabel',
  'bertLens.reviewNext',
  'bertLens.reviewPrevious',
  'bertLens.reviewSkip',
  'bertLens.reviewLeave',
  'bertLens.compareAnnotations',
  'bertLens.nextDisagreement',
  'bertLens.previousDisagreement',
  'bertLens.stopComparing',
];

describe('package.json contributions of annotation', () => {
  it('contributes every command the code registers, titled, in the BERT Lens category', () => {
    const registered = ['annotationCommands.ts', 'transferCommands.ts', 'registerAnnotation.ts', 'registerReview.ts', 'registerCompare.ts', 'annotationMode.ts', 'hoverContent.ts', '../ner/entitiesTree.ts']
      .map(source)
      .join('\n')
      .match(/'bertLens\.[A-Za-z]+'/g)!
      .map((id) => id.slice(1, -1));
    for (const command of COMMANDS) expect(registered, command).toContain(command);
    const contributed = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
    for (const command of COMMANDS) {
      expect(contributed.get(command), command).toMatchObject({ category: 'BERT Lens', title: expect.any(String) });
    }
    expect(contributed.get('bertLens.labelSelection')!.title).toBe('Label Selection…');
    expect(contributed.get('bertLens.compareAnnotations')!.title).toBe('Compare Annotations with…');
  });

  it('steps through disagreements with F7 / Shift+F7 only while comparing, as diff editors do', () => {
    const keys = manifest.contributes.keybindings.filter((k) => k.command === 'bertLens.nextDisagreement' || k.command === 'bertLens.previousDisagreement');
    expect(keys.map((k) => [k.key, k.command])).toEqual([['f7', 'bertLens.nextDisagreement'], ['shift+f7', 'bertLens.previousDisagreement']]);
    for (const key of keys) expect(key.when).toBe('editorTextFocus && bertLens.comparing && !isInDiffEditor');
    expect(source('registerCompare.ts')).toContain("COMPARING_CONTEXT = 'bertLens.comparing'");
    const palette = manifest.contributes.menus.commandPalette!.filter((m) => /Disagreement|stopComparing/.test(m.command));
    expect(palette.map((m) => m.when)).toEqual(['bertLens.comparing', 'bertLens.comparing', 'bertLens.comparing']);
  });

  it('binds keys 1–9 to the first nine labels, only in annotation mode with a selection in a focused editor', () => {
    const keys = manifest.contributes.keybindings.filter((k) => k.command === 'bertLens.labelWithKey');
    expect(keys.map((k) => [k.key, k.args])).toEqual(Array.from({ length: 9 }, (_, i) => [String(i + 1), i + 1]));
    for (const key of keys) expect(key.when).toBe('editorTextFocus && bertLens.annotationMode && editorHasSelection');
    expect(source('annotationMode.ts')).toContain("ANNOTATION_MODE_CONTEXT = 'bertLens.annotationMode'");
  });

  it('binds Alt+1–9 to the first nine text categories in annotation mode (a selection or the paragraph under the cursor), and registers the category commands', () => {
    const keys = manifest.contributes.keybindings.filter((k) => k.command === 'bertLens.categoryWithKey');
    expect(keys.map((k) => [k.key, k.args])).toEqual(Array.from({ length: 9 }, (_, i) => [`alt+${i + 1}`, i + 1]));
    // No editorHasSelection: without one the key labels the paragraph under the cursor.
    for (const key of keys) expect(key.when).toBe('editorTextFocus && bertLens.annotationMode');
    const code = source('categoryCommands.ts');
    const contributed = new Map(manifest.contributes.commands.map((c) => [c.command, c]));
    for (const command of ['bertLens.categorizeSelection', 'bertLens.categorizeParagraph', 'bertLens.categorizeDocument', 'bertLens.categoryWithKey', 'bertLens.acceptClassifications']) {
      expect(code, command).toContain(`'${command}'`);
      expect(contributed.get(command), command).toMatchObject({ category: 'BERT Lens', title: expect.any(String) });
    }
    const hidden = new Set(manifest.contributes.menus.commandPalette!.filter((m) => m.when === 'false').map((m) => m.command));
    expect(hidden.has('bertLens.categoryWithKey')).toBe(true);
    expect(manifest.contributes.configuration.properties['bertLens.annotation.categories']!.default).toEqual(ANNOTATION_SETTING_DEFAULTS.categories);
  });

  it('reads bertLens.annotation.categories, falling back per field with a reason', () => {
    const read = (value: unknown) => readAnnotationSettings((name) => (name === 'bertLens.annotation.categories' ? value : undefined));
    expect(read({ labels: ['sports', 'sports', 'politics'], exclusive: false }).settings.categories).toEqual({ labels: ['sports', 'politics'], exclusive: false });
    const bad = read({ labels: ['ok', ' x'], exclusive: 'yes' });
    expect(bad.settings.categories).toEqual({ labels: ['ok'], exclusive: true });
    expect(bad.problems).toEqual([expect.stringMatching(/^bertLens\.annotation\.categories\.labels: .*whitespace/), 'bertLens.annotation.categories.exclusive must be true or false, got "yes"']);
    expect(read(['sports']).problems).toEqual([expect.stringMatching(/^bertLens\.annotation\.categories must be an object/)]);
  });

  it('offers Remove/Change Label in the editor context menu only in an annotation, Accept Prediction only on a prediction', () => {
    const editor = manifest.contributes.menus['editor/context']!;
    expect(editor.find((m) => m.command === 'bertLens.removeLabel')?.when).toBe('bertLens.inAnnotation');
    expect(editor.find((m) => m.command === 'bertLens.changeLabel')?.when).toBe('bertLens.inAnnotation');
    expect(editor.find((m) => m.command === 'bertLens.acceptPrediction')?.when).toBe('bertLens.inPrediction && !bertLens.inAnnotation');
    const code = source('registerAnnotation.ts');
    expect(code).toContain("IN_ANNOTATION_CONTEXT = 'bertLens.inAnnotation'");
    expect(code).toContain("IN_PREDICTION_CONTEXT = 'bertLens.inPrediction'");
    const title = manifest.contributes.menus['view/title']!;
    expect(title.find((m) => m.command === 'bertLens.filterEntities')).toEqual({ command: 'bertLens.filterEntities', when: 'view == bertLens.entities', group: 'navigation@3' });
    const hidden = new Set(manifest.contributes.menus.commandPalette!.filter((m) => m.when === 'false').map((m) => m.command));
    expect([...hidden]).toEqual(expect.arrayContaining(['bertLens.labelWithKey', 'bertLens.revealAnnotation']));
  });

  it('binds the review keys only in review mode in a focused editor, and offers the review commands in the palette only then', () => {
    const bound = (command: string): string[] => manifest.contributes.keybindings.filter((k) => k.command === command).map((k) => k.key);
    expect(bound('bertLens.reviewAccept')).toEqual(['enter', 'a']);
    expect(bound('bertLens.reviewReject')).toEqual(['backspace', 'x']);
    expect(bound('bertLens.reviewChangeLabel')).toEqual(['l']);
    expect(bound('bertLens.reviewNext')).toEqual(['n', 'right']);
    expect(bound('bertLens.reviewPrevious')).toEqual(['p', 'left']);
    expect(bound('bertLens.reviewSkip')).toEqual(['s']);
    expect(bound('bertLens.reviewLeave')).toEqual(['escape']);
    for (const key of manifest.contributes.keybindings.filter((k) => k.command.startsWith('bertLens.review'))) {
      expect(key.when, key.key).toMatch(/^editorTextFocus && bertLens\.reviewMode( && |$)/);
    }
    expect(source('registerReview.ts')).toContain("REVIEW_MODE_CONTEXT = 'bertLens.reviewMode'");
    const palette = manifest.contributes.menus.commandPalette!;
    for (const command of COMMANDS.filter((c) => c.startsWith('bertLens.review') && c !== 'bertLens.reviewPredictions' && c !== 'bertLens.reviewClassifications' && c !== 'bertLens.revealAnnotation')) {
      expect(palette.find((m) => m.command === command)?.when, command).toBe('bertLens.reviewMode');
    }
    expect(palette.find((m) => m.command === 'bertLens.reviewPredictions')).toBeUndefined();
  });

  it('documents the annotation settings with the defaults the code uses', () => {
    const properties = manifest.contributes.configuration.properties;
    expect(properties['bertLens.annotation.labels']!.default).toEqual(ANNOTATION_SETTING_DEFAULTS.labels);
    expect(properties['bertLens.annotation.saveDelay']!.default).toBe(ANNOTATION_SETTING_DEFAULTS.saveDelay);
    expect(properties['bertLens.annotation.reviewThreshold']!.default).toBe(ANNOTATION_SETTING_DEFAULTS.reviewThreshold);
    for (const name of ['bertLens.annotation.labels', 'bertLens.annotation.saveDelay', 'bertLens.annotation.reviewThreshold']) expect(properties[name]!.markdownDescription!.length).toBeGreaterThan(40);
  });

  it('reads the settings, falling back per value with a reason', () => {
    const values: Record<string, unknown> = { 'bertLens.annotation.labels': ['PER', 'PER', ' X', 'DATE'], 'bertLens.annotation.saveDelay': -5 };
    const read = readAnnotationSettings((name) => values[name]);
    expect(read.settings).toEqual({ labels: ['PER', 'DATE'], saveDelay: 400, categories: { labels: [], exclusive: true }, reviewThreshold: 0.5 });
    expect(read.problems).toEqual([
      expect.stringContaining('leading or trailing whitespace'),
      'bertLens.annotation.saveDelay must be an integer from 0 to 60000, got -5',
    ]);
    expect(readAnnotationSettings(() => undefined)).toEqual({ settings: ANNOTATION_SETTING_DEFAULTS, problems: [] });
    expect(readAnnotationSettings((name) => (name === 'bertLens.annotation.reviewThreshold' ? 0.8 : undefined)).settings.reviewThreshold).toBe(0.8);
    for (const bad of [1.5, -0.1, '0.5']) {
      const threshold = readAnnotationSettings((name) => (name === 'bertLens.annotation.reviewThreshold' ? bad : undefined));
      expect(threshold.settings.reviewThreshold).toBe(0.5);
      expect(threshold.problems).toEqual([`bertLens.annotation.reviewThreshold must be a number from 0 to 1, got ${JSON.stringify(bad)}`]);
    }
    expect(readAnnotationSettings((name) => (name === 'bertLens.annotation.labels' ? 'PER' : undefined)).problems).toEqual([
      'bertLens.annotation.labels must be a list of labels, e.g. ["PER", "ORG"]',
    ]);
  });
});
