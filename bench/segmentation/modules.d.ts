// The compared segmenters ship without types; only the calls the bench makes are declared.
declare module 'sbd' {
  const sbd: { sentences(text: string, options?: { newline_boundaries?: boolean; preserve_whitespace?: boolean }): string[] };
  export default sbd;
}
declare module 'sentencex' {
  export function segment(language: string, text: string): string[];
}
