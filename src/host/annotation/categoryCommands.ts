import * as vscode from 'vscode';
import type { TextCategories } from '../../core/data/annotation';
import { acceptedText, categoryLabelSet, chooseCategories, documentRange, paragraphAt, selectionRange, toggleCategory, type CategoryRange, type CategorySet } from '../../core/data/categoryEdits';
import { oneLine } from '../tasks/shared/presentation';
import { planClassificationProposals, type CategoryProposal, type ClassificationSource } from './acceptClassifications';
import { annotatableEditor } from './annotationCommands';
import type { AnnotationModel } from './annotationModel';
import { labelForKey } from './labelChoice';
import { pickCategories } from './categoryQuickPick';

export const CATEGORY_COMMANDS = {
  categorizeSelection: 'bertLens.categorizeSelection',
  categorizeParagraph: 'bertLens.categorizeParagraph',
  categorizeDocument: 'bertLens.categorizeDocument',
  categoryWithKey: 'bertLens.categoryWithKey',
  acceptClassifications: 'bertLens.acceptClassifications',
} as const;

export interface CategoryCommandServices {
  model: AnnotationModel;
  /** The configured label set (bertLens.annotation.categories). */
  categorySet: () => CategorySet;
  classifications: ClassificationSource;
  log: vscode.LogOutputChannel;
}


function status(message: string): void {
  vscode.window.setStatusBarMessage(`BERT Lens: ${message}`, 5000);
}

/** The range a command labels: the first non-empty selection, else the paragraph under the cursor, else the document. */
function rangeFor(editor: vscode.TextEditor, scope: 'selection' | 'paragraph' | 'document' | 'auto'): CategoryRange | string {
  const { document, selection } = editor;
  const text = document.getText();
  if (scope === 'document') return documentRange(text);
  if (scope === 'selection' || (scope === 'auto' && !selection.isEmpty)) {
    const range = selectionRange(text, document.offsetAt(selection.start), document.offsetAt(selection.end));
    return range ?? 'select the text to label with categories first (or use Label Paragraph / Document with Categories).';
  }
  return paragraphAt(text, document.offsetAt(selection.active)) ?? 'put the cursor in a paragraph first (the cursor is on a blank line).';
}

export function registerCategoryCommands(services: CategoryCommandServices): vscode.Disposable[] {
  const { model } = services;

  const labelsFor = async (folderDir: string): Promise<string[]> => categoryLabelSet(services.categorySet().labels, await model.categoryLabels(folderDir));

  const categorize = async (scope: 'selection' | 'paragraph' | 'document'): Promise<void> => {
    const target = await annotatableEditor(model, `run Label ${scope[0]!.toUpperCase()}${scope.slice(1)} with Categories`);
    if (!target) return;
    const range = rangeFor(target.editor, scope);
    if (typeof range === 'string') {
      void vscode.window.showInformationMessage(`BERT Lens: ${range}`);
      return;
    }
    const set = services.categorySet();
    const text = target.editor.document.getText();
    const current = model.categories(target.key)?.find((c) => c.scope === range.scope && (range.scope === 'document' || (c.start === range.start && c.end === range.end)));
    const what = range.scope === 'document' ? 'the document' : `${range.scope} ${JSON.stringify(oneLine(text.slice(range.start, range.end), 40))}`;
    const chosen = await pickCategories(await labelsFor(target.location.folderDir), { title: `Categories of ${what}`, exclusive: set.exclusive, current });
    if (!chosen) return;
    const next = chooseCategories(current, range, set, chosen);
    await model.setCategories(target.key, range, next);
    status(next ? `${range.scope} labelled ${acceptedText(next)}` : `categories of the ${range.scope} removed`);
  };

  const acceptClassifications = async (): Promise<void> => {
    const target = await annotatableEditor(model, 'run Accept Classifications');
    if (!target) return;
    const results = services.classifications.results(target.key);
    if (results.length === 0) {
      const run = 'Classify Each Paragraph';
      const answer = await vscode.window.showInformationMessage('BERT Lens: this document has no classification results to accept. Run Classify Each Paragraph or Classify Document first.', run);
      if (answer === run) await vscode.commands.executeCommand('bertLens.classifyParagraphs');
      return;
    }
    const document = target.editor.document;
    const plan = planClassificationProposals(results, model.categories(target.key) ?? [], document.getText().length);
    for (const line of plan.skipped) services.log.info(`Accept Classifications: ${line}`);
    const open = plan.proposals.filter((p) => !p.conflict);
    if (open.length === 0) {
      void vscode.window.showInformationMessage(`BERT Lens: nothing to accept${plan.proposals.length > 0 ? `: your own categories are kept over all ${plan.proposals.length} prediction(s)` : ''}.`);
      return;
    }
    type Item = vscode.QuickPickItem & { proposal: CategoryProposal };
    const correct: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('edit'), tooltip: 'Correct the categories of this one' };
    const items: Item[] = open.map((proposal) => ({
      label: acceptedText(proposal.categories),
      description: proposal.categories.scope === 'document' ? 'document' : `${proposal.categories.scope} · line ${document.positionAt(proposal.categories.start).line + 1}`,
      detail: oneLine(proposal.text, 100),
      proposal,
    }));
    const title = `Accept Classifications: ${open.length} prediction(s)${plan.proposals.length > open.length ? `, ${plan.proposals.length - open.length} kept as you labelled them` : ''}`;
    let selected = new Set<Item>(items);
    let accepted: Item[] | undefined;
    // The list comes back after each correction, with the checks as they were.
    for (;;) {
      const outcome = await proposalPick(items, selected, correct, title);
      if (!outcome) return;
      if (outcome.kind === 'accept') {
        accepted = outcome.items;
        break;
      }
      const { item } = outcome;
      selected = new Set(outcome.selected);
      const proposal = item.proposal;
      const chosen = await pickCategories(proposal.categories.options, { title: `Correct: ${oneLine(proposal.text, 50)}`, exclusive: !proposal.categories.multiLabel, current: proposal.categories });
      if (chosen !== undefined) {
        proposal.categories = { ...proposal.categories, accept: proposal.categories.multiLabel ? chosen : chosen.slice(0, 1) };
        item.label = acceptedText(proposal.categories);
        selected.add(item);
      }
    }
    if (!accepted) return;
    let count = 0;
    for (const item of accepted) {
      const c: TextCategories = item.proposal.categories;
      if (await model.setCategories(target.key, { start: c.start, end: c.end, scope: c.scope }, c)) count++;
    }
    status(`${count} classification(s) accepted as text categories`);
  };

  return [
    vscode.commands.registerCommand(CATEGORY_COMMANDS.categorizeSelection, () => categorize('selection')),
    vscode.commands.registerCommand(CATEGORY_COMMANDS.categorizeParagraph, () => categorize('paragraph')),
    vscode.commands.registerCommand(CATEGORY_COMMANDS.categorizeDocument, () => categorize('document')),
    vscode.commands.registerCommand(CATEGORY_COMMANDS.categoryWithKey, async (key: unknown) => {
      const target = await annotatableEditor(model, 'put the cursor in a paragraph');
      if (!target) return;
      const labels = await labelsFor(target.location.folderDir);
      const label = labelForKey(labels, Number(key));
      if (!label) {
        status(`no category on Alt+${String(key)}: the category set has ${labels.length} label(s). "Label Paragraph with Categories…" adds one.`);
        return;
      }
      const range = rangeFor(target.editor, 'auto');
      if (typeof range === 'string') {
        status(range);
        return;
      }
      const set = services.categorySet();
      const current = model.categories(target.key)?.find((c) => c.scope === range.scope && c.start === range.start && c.end === range.end);
      const next = toggleCategory(current, range, set, label);
      await model.setCategories(target.key, range, next);
      status(next ? `${range.scope} labelled ${acceptedText(next)}` : `categories of the ${range.scope} removed`);
    }),
    vscode.commands.registerCommand(CATEGORY_COMMANDS.acceptClassifications, acceptClassifications),
  ];
}

/** One showing of the proposals: Enter accepts the checked ones; an item's button asks to correct it. */
function proposalPick<T extends vscode.QuickPickItem>(
  items: readonly T[], selected: ReadonlySet<T>, correct: vscode.QuickInputButton, title: string,
): Promise<{ kind: 'accept'; items: T[] } | { kind: 'correct'; item: T; selected: T[] } | undefined> {
  return new Promise((resolve) => {
    const quickPick = vscode.window.createQuickPick<T>();
    quickPick.title = title;
    quickPick.placeholder = 'Uncheck what to leave out, the pencil corrects one; Enter accepts the checked ones';
    quickPick.canSelectMany = true;
    quickPick.matchOnDetail = true;
    quickPick.items = items.map((item) => ({ ...item, buttons: [correct] }));
    // Items are copied above (buttons added): map the copies back to the originals.
    const original = (copy: T): T => items[quickPick.items.indexOf(copy)]!;
    quickPick.selectedItems = quickPick.items.filter((_, i) => selected.has(items[i]!));
    let settled = false;
    const finish = (value: Awaited<ReturnType<typeof proposalPick<T>>>): void => {
      if (settled) return;
      settled = true;
      resolve(value);
      quickPick.dispose();
    };
    quickPick.onDidTriggerItemButton((event) => finish({ kind: 'correct', item: original(event.item), selected: quickPick.selectedItems.map(original) }));
    quickPick.onDidAccept(() => finish({ kind: 'accept', items: quickPick.selectedItems.map(original) }));
    quickPick.onDidHide(() => finish(undefined));
    quickPick.show();
  });
}
