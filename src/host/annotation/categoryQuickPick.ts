import * as vscode from 'vscode';
import type { TextCategories } from '../../core/data/annotation';
import { categoryPickRows, type CategoryPickRow } from './categoryChoice';

type Row = vscode.QuickPickItem & { row: CategoryPickRow | undefined };

/**
 * Asks for the categories of a range: one label (exclusive set: Enter takes the highlighted row) or
 * several (multi-label: check the rows, Enter confirms; nothing checked removes the decision). A typed
 * label that is new is offered as a row. Resolves to the chosen labels, or undefined when dismissed.
 */
export function pickCategories(
  labels: readonly string[],
  options: { title: string; exclusive: boolean; current: TextCategories | undefined },
): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    const quickPick = vscode.window.createQuickPick<Row>();
    quickPick.title = options.title;
    quickPick.canSelectMany = !options.exclusive;
    quickPick.placeholder = options.exclusive
      ? `Pick the category${options.current ? ' (Escape keeps the current one)' : ''}, or type a new one`
      : 'Check the categories that apply (none checked removes them), or type a new one';
    const extra: string[] = [];
    const update = (): void => {
      const all = [...labels, ...extra.filter((label) => !labels.includes(label))];
      const state = categoryPickRows(all, options.current, quickPick.value);
      const checked = new Set(quickPick.selectedItems.map((item) => item.row?.value));
      const rows: Row[] = state.rows.map((row) => ({
        label: row.label,
        ...(row.description ? { description: row.description } : {}),
        ...(row.isNew ? { alwaysShow: true, iconPath: new vscode.ThemeIcon('add') } : { iconPath: new vscode.ThemeIcon('symbol-enum') }),
        picked: quickPick.selectedItems.length > 0 ? checked.has(row.value) : row.picked,
        row,
      }));
      if (options.exclusive && options.current) {
        rows.push({ label: 'Remove the category', iconPath: new vscode.ThemeIcon('close'), alwaysShow: true, row: undefined });
      }
      const previouslyChecked = quickPick.selectedItems;
      quickPick.items = state.validationMessage ? [{ label: state.validationMessage, iconPath: new vscode.ThemeIcon('error'), alwaysShow: true, row: undefined }, ...rows] : rows;
      if (!options.exclusive) quickPick.selectedItems = quickPick.items.filter((item) => item.picked || previouslyChecked.some((p) => p.row && p.row.value === item.row?.value));
    };
    let settled = false;
    const finish = (value: string[] | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      quickPick.dispose();
    };
    quickPick.onDidChangeValue(update);
    quickPick.onDidAccept(() => {
      if (options.exclusive) {
        const item = quickPick.activeItems[0] ?? quickPick.selectedItems[0];
        if (!item) return;
        if (!item.row) {
          if (item.label === 'Remove the category') finish([]);
          return;
        }
        finish([item.row.value]);
        return;
      }
      const chosen = quickPick.selectedItems.flatMap((item) => (item.row ? [item.row.value] : []));
      const typed = quickPick.value.trim();
      const newRow = quickPick.items.find((item) => item.row?.isNew);
      // A typed new label is added to the list checked, so that it can be confirmed with the others.
      if (typed !== '' && newRow?.row && !extra.includes(newRow.row.value)) {
        extra.push(newRow.row.value);
        quickPick.value = '';
        update();
        quickPick.selectedItems = [...quickPick.selectedItems, ...quickPick.items.filter((item) => item.row?.value === newRow.row!.value)];
        return;
      }
      finish(chosen);
    });
    quickPick.onDidHide(() => finish(undefined));
    update();
    quickPick.show();
  });
}
