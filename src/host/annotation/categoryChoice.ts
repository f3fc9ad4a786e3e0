import { labelProblem, type TextCategories } from '../../core/data/annotation';
import { LABEL_KEYS } from './labelChoice';

/** Rows of the category quick pick, without VS Code: which labels, which are on, what a typed value adds. */
export interface CategoryPickRow {
  label: string;
  description?: string;
  /** The label the row stands for. */
  value: string;
  isNew: boolean;
  picked: boolean;
}

/**
 * The rows for a range: every label of the set (key Alt+n in annotation mode, "current" on the
 * accepted ones, picked when it is accepted), and an "add" row first for a typed label that is new.
 */
export function categoryPickRows(labels: readonly string[], current: TextCategories | undefined, typed = ''): { rows: CategoryPickRow[]; validationMessage?: string } {
  const accepted = new Set(current?.accept ?? []);
  const rows: CategoryPickRow[] = labels.map((label, i) => {
    const notes: string[] = [];
    if (i < LABEL_KEYS) notes.push(`Alt+${i + 1}`);
    if (accepted.has(label)) notes.push('current');
    return { label, value: label, isNew: false, picked: accepted.has(label), ...(notes.length > 0 ? { description: notes.join(' · ') } : {}) };
  });
  const value = typed.trim();
  if (value === '' || labels.includes(value)) return { rows };
  const problem = labelProblem(value);
  if (problem) return { rows, validationMessage: `Not a valid label: ${problem}` };
  return { rows: [{ label: `Add category "${value}"`, description: 'new category', value, isNew: true, picked: true }, ...rows] };
}
