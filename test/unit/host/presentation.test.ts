import MarkdownIt from 'markdown-it';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { colorSlotsFor, entitiesBySlot } from '../../../src/host/ner/decorationPlan';
import { entitiesFromResults, type DocumentEntity } from '../../../src/host/ner/entities';
import { groupByLabel } from '../../../src/host/ner/entityTree';
import { entityHoverMarkdown, escapeMarkdown } from '../../../src/host/ner/hoverContent';
import { ALL_SLOTS, assignColorSlots, colorIds, entityType, PALETTE_SIZE } from '../../../src/host/ner/labelColors';
import type { ModelInfo } from '../../../src/worker/jobKinds';

const CONLL = ['O', 'B-PER', 'I-PER', 'B-ORG', 'I-ORG', 'B-LOC', 'I-LOC', 'B-MISC', 'I-MISC'];
const model = (labels: string[]): ModelInfo => ({ reference: '/m', dir: '/m', source: 'local', head: 'token-classification', labels, quantized: false, graphSource: 'folder' });

function entity(label: string, start: number, text = 'x'.repeat(3)): DocumentEntity {
  return entitiesFromResults([[{ entity_group: label, score: 0.5, word: text, start: 0, end: text.length }]], [{ offset: start, text }], ' '.repeat(start) + text)[0]!;
}

describe('label colours', () => {
  it('strips IOB/IOBES/BILOU prefixes and nothing else', () => {
    expect(['B-PER', 'I-PER', 'E-ORG', 'S-LOC', 'L-X', 'U-Y', 'PER', 'O', 'B-', 'BB-X', 'b-per'].map(entityType)).toEqual(['PER', 'PER', 'ORG', 'LOC', 'X', 'Y', 'PER', 'O', 'B-', 'BB-X', 'b-per']);
  });

  it('gives the CoNLL types their own slots (aliases too) and others palette slots in model order', () => {
    expect([...assignColorSlots(CONLL)]).toEqual([['PER', 'PER'], ['ORG', 'ORG'], ['LOC', 'LOC'], ['MISC', 'MISC']]);
    const slots = assignColorSlots(['O', 'B-PERSON', 'B-DATE', 'I-DATE', 'B-GPE', 'B-Organization'], ['O', 'MONEY']);
    expect([...slots]).toEqual([['PERSON', 'PER'], ['DATE', 'palette0'], ['GPE', 'palette1'], ['Organization', 'ORG'], ['O', 'palette2'], ['MONEY', 'palette3']]);
  });

  it('gives distinct slots to up to PALETTE_SIZE unknown types, then cycles', () => {
    const types = Array.from({ length: PALETTE_SIZE + 2 }, (_, i) => `T${i}`);
    const slots = [...assignColorSlots(types).values()];
    expect(new Set(slots.slice(0, PALETTE_SIZE)).size).toBe(PALETTE_SIZE);
    expect(slots.slice(PALETTE_SIZE)).toEqual(['palette0', 'palette1']);
  });

  it('contributes every colour id the code uses, with light, dark and both high-contrast defaults', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      contributes: { colors: Array<{ id: string; description: string; defaults: Record<string, string> }> };
    };
    const contributed = new Map(manifest.contributes.colors.map((c) => [c.id, c]));
    for (const slot of ALL_SLOTS) {
      for (const id of Object.values(colorIds(slot))) {
        const color = contributed.get(id);
        expect(color, id).toBeDefined();
        expect(Object.keys(color!.defaults).sort()).toEqual(['dark', 'highContrast', 'highContrastLight', 'light']);
        for (const value of Object.values(color!.defaults)) expect(value).toMatch(/^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$/);
        expect(color!.description.length).toBeGreaterThan(10);
      }
    }
    // Distinct borders per slot in each theme: two labels never look alike.
    for (const theme of ['dark', 'light', 'highContrast']) {
      const borders = ALL_SLOTS.map((slot) => contributed.get(colorIds(slot).border)!.defaults[theme]!.slice(0, 7).toLowerCase());
      expect(new Set(borders).size, theme).toBe(ALL_SLOTS.length);
    }
  });

  it('groups a document\'s entities by slot for one decoration type each', () => {
    const entities = [entity('PER', 0), entity('DATE', 5), entity('B-PER', 10), entity('MONEY', 15)];
    const document = { model: model(CONLL), modelDescription: 'm', entities };
    const slots = colorSlotsFor(document);
    const groups = entitiesBySlot(entities, slots);
    expect([...groups].map(([slot, list]) => [slot, list.map((e) => e.start)])).toEqual([['PER', [0, 10]], ['palette0', [5]], ['palette1', [15]]]);
  });
});

describe('Entities tree grouping', () => {
  it('groups by label in the model\'s label order, lists entities in document order, and caps long groups', () => {
    const entities = [entity('LOC', 40), entity('PER', 30), entity('ZZZ', 0), entity('PER', 10), entity('AAA', 20), entity('PER', 50)];
    const slots = assignColorSlots(CONLL, entities.map((e) => e.label));
    const groups = groupByLabel(entities, slots, 2);
    expect(groups.map((g) => [g.label, g.slot, g.count, g.entities.map((e) => e.start), g.hidden])).toEqual([
      ['PER', 'PER', 3, [10, 30], 1],
      ['LOC', 'LOC', 1, [40], 0],
      ['ZZZ', 'palette0', 1, [0], 0],
      ['AAA', 'palette1', 1, [20], 0],
    ]);
  });

  it('keeps B-/I- labels of strategy "none" as separate groups of the same colour', () => {
    const entities = [entity('I-PER', 5), entity('B-PER', 0)];
    const groups = groupByLabel(entities, assignColorSlots(CONLL));
    expect(groups.map((g) => [g.label, g.slot])).toEqual([['B-PER', 'PER'], ['I-PER', 'PER']]);
  });
});

describe('hover markdown', () => {
  const markdown = new MarkdownIt({ html: true, linkify: true });
  const hostile = [
    '<img src=x onerror=alert(1)>',
    '[click](command:workbench.action.terminal.new)',
    '**bold** _it_ `code` # heading',
    'https://example.com and www.example.com',
    '$(zap) &amp; &lt;b&gt; \\*',
    '| a | b |\n|---|---|',
    '1. list\r\n- item',
  ];

  it('renders user text as the same text: no HTML, links, emphasis, code or entities survive', () => {
    for (const text of hostile) {
      const html = markdown.renderInline(escapeMarkdown(text));
      expect(html, text).not.toMatch(/<(?!\/?p>)[a-z]/i);
      const decoded = html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
      expect(decoded, text).toBe(text.replace(/\r\n|\r|\n/g, ' '));
    }
  });

  it('shows label, score, the span text, the tokens when they differ, and the model', () => {
    const e = { ...entity('PER', 0, 'Ann <b>'), word: 'ann < b >', score: 0.98765 };
    const html = markdown.render(entityHoverMarkdown(e, 'bundled (untrained demo)'));
    expect(html).toContain('<strong>PER</strong> · score 0.988');
    expect(html).toContain('Text: Ann &lt;b&gt;');
    expect(html).toContain('Tokens: ann &lt; b &gt;');
    expect(html).toContain('Model: bundled (untrained demo)');
    const same = entityHoverMarkdown({ ...e, word: e.text }, 'm');
    expect(same).not.toContain('Tokens:');
  });
});
