import * as vscode from 'vscode';
import { labelPickState, resolveLabelChoice, type LabelPickItem } from './labelChoice';

/** A row; `item` is undefined for the row that explains why the typed text cannot be a label. */
type Row = vscode.QuickPickItem & { item: LabelPickItem | undefined };

/**
 * Asks for a label: the set's labels, filtered as the user types, and an "Add label" row for a
 * typed label that is not in the set yet. Resolves to undefined when dismissed.
 */
export function pickLabel(
  labels: readonly string[],
  options: { title: string; placeholder?: string; current?: ReadonlySet<string> },
): Promise<{ label: string; isNew: boolean } | undefined> {
  return new Promise((resolve) => {
    const quickPick = vscode.window.createQuickPick<Row>();
    quickPick.title = options.title;
    quickPick.placeholder = options.placeholder ?? 'Pick a label, or type a new one';
    // QuickPick has no validation message (InputBox has): the problem is shown as a row instead.
    const problemRow = (message: string): Row => ({ label: message, iconPath: new vscode.ThemeIcon('error'), alwaysShow: true, item: undefined });
    const update = (): void => {
      const state = labelPickState(labels, quickPick.value, options.current);
      const rows: Row[] = state.items.map((item) => ({
        label: item.label,
        ...(item.description ? { description: item.description } : {}),
        // The add row must stay visible whatever was typed (the quick pick filters by label).
        ...(item.isNew ? { alwaysShow: true, iconPath: new vscode.ThemeIcon('add') } : { iconPath: new vscode.ThemeIcon('tag') }),
        item,
      }));
      quickPick.items = state.validationMessage ? [problemRow(state.validationMessage), ...rows] : rows;
    };
    let settled = false;
    const finish = (value: { label: string; isNew: boolean } | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      quickPick.dispose();
    };
    quickPick.onDidChangeValue(update);
    quickPick.onDidAccept(() => {
      const row = quickPick.selectedItems[0] ?? quickPick.activeItems[0];
      if (row && !row.item) return;
      const choice = resolveLabelChoice(labels, quickPick.value, row?.item);
      if (!choice) return;
      if ('error' in choice) {
        quickPick.items = [problemRow(choice.error), ...quickPick.items.filter((item) => item.item)];
        return;
      }
      finish(choice);
    });
    quickPick.onDidHide(() => finish(undefined));
    update();
    quickPick.show();
  });
}
