import type { AnnotatedDocument } from './annotation';

/**
 * The whole-document textcat formats (Prodigy textcat, HF {"text","label"}, CSV/TSV, Label Studio
 * choices) hold one decision per record. A stored document's own decision stays its record; each
 * decision on a paragraph or a selection becomes a record of its own over the range's text, as
 * Prodigy's textcat recipes make a task of each paragraph. `meta` says where it came from.
 */
export function textcatRecordsOf(documents: readonly AnnotatedDocument[]): { documents: AnnotatedDocument[]; ranges: number } {
  const out: AnnotatedDocument[] = [];
  let ranges = 0;
  for (const document of documents) {
    for (const categories of document.categories ?? []) {
      if (categories.scope === 'document') {
        out.push({ text: document.text, spans: [], meta: { ...document.meta }, categories: [{ ...categories, start: 0, end: document.text.length }] });
        continue;
      }
      const text = document.text.slice(categories.start, categories.end);
      ranges++;
      out.push({
        text,
        spans: [],
        meta: { path: `${document.meta.path}#${categories.start}-${categories.end}`, source_path: document.meta.path, start: categories.start, end: categories.end, scope: categories.scope },
        categories: [{ ...categories, start: 0, end: text.length, scope: 'document' }],
      });
    }
  }
  return { documents: out, ranges };
}
