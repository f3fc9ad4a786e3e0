/** Shapes shared by the fine-tune panel (webview), the host and the worker. Types only, no imports: the webview bundle reads them too. */

export type FinetuneTask = 'ner' | 'classify';

export interface LabelCount {
  label: string;
  /** NER: labelled spans (entities); classification: examples. */
  count: number;
}

export interface DatasetSummary {
  task: FinetuneTask;
  /** Where the data comes from, for the panel ("workspace annotations", a file name). */
  source: string;
  /** Documents of the store, or records of a file. */
  documents: number;
  /** Training rows before windowing: NER sentences (a line of a document), classification examples. */
  examples: number;
  labelCounts: LabelCount[];
  /** Rows in each half after the dev split (dev from a separate file: its row count). */
  train: number;
  dev: number;
  /** Legal but worth knowing (labels with few examples, spans off word boundaries, skipped records). */
  warnings: string[];
  /** What makes training pointless or impossible; the panel refuses to start while any remain. */
  errors: string[];
}
