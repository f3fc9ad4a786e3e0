import { labelProblem } from '../../core/data/annotation';

/**
 * The label set as the user meets it (quick pick rows, keys 1–9) and what a typed value means.
 * Pure, so the quick pick's behaviour is testable without VS Code.
 */

/** Keys 1–9 give the first nine labels in annotation mode. */
export const LABEL_KEYS = 9;

/** The store's labels (labels.json order, then labels only spans use), then the configured defaults. */
export function labelSet(storeLabels: readonly string[], configured: readonly string[]): string[] {
  const labels: string[] = [];
  for (const label of [...storeLabels, ...configured]) {
    if (labelProblem(label) === undefined && !labels.includes(label)) labels.push(label);
  }
  return labels;
}

export interface LabelPickItem {
  /** What the row shows. */
  label: string;
  description?: string;
  /** The label this row applies. */
  value: string;
  /** True for the row that adds a typed label to the set. */
  isNew: boolean;
}

export interface LabelPickState {
  items: LabelPickItem[];
  /** Shown under the input when the typed value cannot be a label (the rows then offer nothing new). */
  validationMessage?: string;
}

/**
 * Rows for the typed value: an "add" row first when the value is a new, valid label; then every
 * label of the set with its key in annotation mode and, for Change Label, which one is current.
 * The quick pick filters the existing rows by the typed text itself.
 */
export function labelPickState(labels: readonly string[], typed: string, current?: ReadonlySet<string>): LabelPickState {
  const value = typed.trim();
  const existing: LabelPickItem[] = labels.map((label, i) => {
    const notes: string[] = [];
    if (i < LABEL_KEYS) notes.push(`key ${i + 1}`);
    if (current?.has(label)) notes.push('current');
    return { label, value: label, isNew: false, ...(notes.length > 0 ? { description: notes.join(' · ') } : {}) };
  });
  if (value === '' || labels.includes(value)) return { items: existing };
  const problem = labelProblem(value);
  if (problem) return { items: existing, validationMessage: `Not a valid label: ${problem}` };
  return { items: [{ label: `Add label "${value}"`, description: 'new label', value, isNew: true }, ...existing] };
}

/**
 * The label chosen when the user presses Enter: the highlighted row, or — when no row matches what
 * was typed (the quick pick then highlights nothing) — the typed value itself if it is a valid label.
 */
export function resolveLabelChoice(
  labels: readonly string[],
  typed: string,
  picked: LabelPickItem | undefined,
): { label: string; isNew: boolean } | { error: string } | undefined {
  if (picked) return { label: picked.value, isNew: picked.isNew && !labels.includes(picked.value) };
  const value = typed.trim();
  if (value === '') return undefined;
  if (labels.includes(value)) return { label: value, isNew: false };
  const problem = labelProblem(value);
  return problem ? { error: `Not a valid label: ${problem}` } : { label: value, isNew: true };
}

/** The label of key `n` (1-based) in annotation mode, or undefined when the set is shorter. */
export function labelForKey(labels: readonly string[], key: number): string | undefined {
  return Number.isInteger(key) && key >= 1 && key <= LABEL_KEYS ? labels[key - 1] : undefined;
}

/** The status bar text and tooltip of annotation mode: which key gives which label, and which Alt+key which text category. */
export function keyHints(labels: readonly string[], categories: readonly string[] = []): { text: string; tooltip: string } {
  const keyed = labels.slice(0, LABEL_KEYS);
  const keyedCategories = categories.slice(0, LABEL_KEYS);
  const categoryLines = keyedCategories.length === 0 ? [] : ['Text categories (paragraph under the cursor, or the selection):', ...keyedCategories.map((label, i) => `Alt+${i + 1} → ${label}`)];
  const tooltip =
    keyed.length === 0
      ? ['Annotation mode: no labels yet. Run "Label Selection…" and type a label to add one.', ...categoryLines].join('\n')
      : ['Annotation mode: select text, then press', ...keyed.map((label, i) => `${i + 1} → ${label}`), ...categoryLines, 'Click to leave annotation mode.'].join('\n');
  return { text: keyed.length === 0 ? '$(tag) Annotating' : `$(tag) Annotating · 1–${keyed.length}`, tooltip };
}
