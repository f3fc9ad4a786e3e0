/** Annotations, the workspace store, dataset formats and span/tag alignment (plain Node, no vscode). */
export * from './annotation';
export * from './annotationStore';
export * from './bioAlignment';
export * from './datasets';
export * from './parseResult';
export * from './reanchor';
export * from './tokenDocuments';
export * from './unicodeOffsets';
export * from './wordTokens';
export * from './formats/classification';
export * from './formats/conll';
export * from './formats/hfTokenJsonl';
export * from './formats/labelNames';
export * from './formats/labelStudio';
export * from './formats/prodigy';
export * from './formats/textcat';
