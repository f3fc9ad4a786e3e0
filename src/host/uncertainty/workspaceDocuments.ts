/**
 * Which documents "Next Uncertain" ranks: the active document first (whatever its type, even
 * unsaved), then the workspace's .txt and .md files (at most MAX_FOUND_FILES found), in path order, up to MAX_DOCUMENTS documents and
 * MAX_TOTAL_CHARS characters in all; a file above MAX_FILE_CHARS is skipped. The bounds keep one
 * ranking to about a minute of CPU on a laptop with the bundled model; what was left out is said.
 */
export const MAX_DOCUMENTS = 50;
export const MAX_FOUND_FILES = 2_000;
export const MAX_FILE_CHARS = 1_000_000;
export const MAX_TOTAL_CHARS = 4_000_000;
export const WORKSPACE_GLOB = '**/*.{txt,md}';
export const WORKSPACE_EXCLUDE = '**/{node_modules,.git,.bert-lens,.vscode-test,dist,out}/**';

export interface CandidateDocument {
  key: string;
  label: string;
  text: string;
}

/** A workspace file not read yet: read() gives its text, or undefined when it cannot be read. */
export interface CandidateFile {
  key: string;
  label: string;
  read(): Promise<string | undefined>;
}

export interface ChosenDocuments {
  documents: CandidateDocument[];
  /** One line per kind of omission, for the log and the view's message. */
  omitted: string[];
}

/**
 * The active document, then the files by label (read one at a time, and only until the bounds are
 * reached); a file that is the active document is taken once. Blank texts are left out silently.
 */
export async function chooseDocuments(active: CandidateDocument | undefined, files: readonly CandidateFile[]): Promise<ChosenDocuments> {
  const documents: CandidateDocument[] = [];
  const seen = new Set<string>();
  let tooLarge = 0;
  let unreadable = 0;
  let overCount = 0;
  let overTotal = 0;
  let total = 0;
  const take = (candidate: CandidateDocument): void => {
    if (candidate.text.trim() === '') return;
    if (candidate.text.length > MAX_FILE_CHARS) tooLarge++;
    else if (total + candidate.text.length > MAX_TOTAL_CHARS) overTotal++;
    else {
      total += candidate.text.length;
      documents.push(candidate);
    }
  };
  if (active) {
    seen.add(active.key);
    take(active);
  }
  const sorted = [...files].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  for (const file of sorted) {
    if (seen.has(file.key)) continue;
    seen.add(file.key);
    if (documents.length >= MAX_DOCUMENTS) {
      overCount++;
      continue;
    }
    const text = await file.read();
    if (text === undefined) unreadable++;
    else take({ key: file.key, label: file.label, text });
  }
  const omitted: string[] = [];
  if (tooLarge > 0) omitted.push(`${tooLarge} file(s) over ${MAX_FILE_CHARS.toLocaleString('en')} characters skipped`);
  if (unreadable > 0) omitted.push(`${unreadable} file(s) could not be read`);
  if (overCount > 0) omitted.push(`${overCount} file(s) beyond the first ${MAX_DOCUMENTS} left out`);
  if (overTotal > 0) omitted.push(`${overTotal} file(s) left out to stay under ${MAX_TOTAL_CHARS.toLocaleString('en')} characters in all`);
  return { documents, omitted };
}
