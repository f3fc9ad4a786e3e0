import * as vscode from 'vscode';
import type { CategorySet } from '../../core/data/categoryEdits';
import type { EntityStore } from '../ner/entityStore';
import type { AnnotationModel } from './annotationModel';
import { documentLocation } from './editorTargets';
import { pickLabel } from './labelQuickPick';
import type { ClassificationSource } from './acceptClassifications';
import { categoryReviewCandidates, categoryTarget, type CategoryChoice } from './categoryReview';
import { describeStart, itemCaption, reviewCandidates, ReviewSession, type RejectionStores, type ReviewDocument, type ReviewTarget } from './reviewSession';
import { isLocation, type DocumentLocation } from './workspacePath';

export const REVIEW_MODE_CONTEXT = 'bertLens.reviewMode';
export const REVIEW_COMMANDS = {
  start: 'bertLens.reviewPredictions',
  startClassifications: 'bertLens.reviewClassifications',
  accept: 'bertLens.reviewAccept',
  reject: 'bertLens.reviewReject',
  changeLabel: 'bertLens.reviewChangeLabel',
  next: 'bertLens.reviewNext',
  previous: 'bertLens.reviewPrevious',
  skip: 'bertLens.reviewSkip',
  leave: 'bertLens.reviewLeave',
} as const;

const KEYS_HELP = 'Enter/a accept · Backspace/x reject · l another label · n/→ next · p/← previous · s skip · Esc leave';

export interface ReviewServices {
  model: AnnotationModel;
  entities: EntityStore;
  log: vscode.LogOutputChannel;
  rejections: RejectionStores;
  threshold: () => number;
  classifications: ClassificationSource;
  /** The text categories' label set: whether they are exclusive decides which classification results are reviewed. */
  categorySet: () => CategorySet;
}

/**
 * "Review Predictions": one prediction at a time, decided with keys that are bound only while the
 * review runs (the `bertLens.reviewMode` context key). The current prediction is outlined and
 * revealed, with its label and score after it; the status bar counts what was reviewed.
 */
export function registerReview(services: ReviewServices): vscode.Disposable[] {
  const { model, entities, log } = services;
  const stores = services.rejections;
  const status = vscode.window.createStatusBarItem('bertLens.review', vscode.StatusBarAlignment.Left, 49);
  status.name = 'BERT Lens review';
  status.command = { command: REVIEW_COMMANDS.leave, title: 'Leave review' };
  const current = vscode.window.createTextEditorDecorationType({
    border: '2px solid',
    borderColor: new vscode.ThemeColor('focusBorder'),
    borderRadius: '3px',
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic', margin: '0 0 0 0.5em' },
    overviewRulerColor: new vscode.ThemeColor('focusBorder'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  let session: ReviewSession | undefined;
  // Decisions are carried out one after the other, in the order of the keys.
  let busy: Promise<unknown> = Promise.resolve();

  const editorOf = (key: string): vscode.TextEditor | undefined => vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === key);

  const show = (reveal: boolean): void => {
    if (!session) return;
    const item = session.current();
    const editor = editorOf(session.document.key);
    status.text = `$(checklist) Review ${session.queue.reviewed} / ${session.queue.total}`;
    status.tooltip = `${session.queue.progress()} — ${KEYS_HELP}. Click to leave.`;
    status.show();
    if (!editor) return;
    if (!item) {
      editor.setDecorations(current, []);
      return;
    }
    const range = new vscode.Range(editor.document.positionAt(item.start), editor.document.positionAt(item.end));
    editor.setDecorations(current, [{ range, renderOptions: { after: { contentText: itemCaption(item) } } }]);
    if (reveal) {
      // The caret goes to the prediction's start (no selection: Enter and Backspace are review keys).
      editor.selection = new vscode.Selection(range.start, range.start);
      editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  };

  const leave = async (message?: string): Promise<void> => {
    const ended = session;
    session = undefined;
    status.hide();
    if (ended) editorOf(ended.document.key)?.setDecorations(current, []);
    await vscode.commands.executeCommand('setContext', REVIEW_MODE_CONTEXT, false);
    if (ended && message) vscode.window.setStatusBarMessage(`BERT Lens: ${message}`, 6000);
  };

  const summary = (ended: ReviewSession): string => {
    const items = ended.queue.items;
    const accepted = items.filter((item) => item.decision === 'accepted').length;
    const rejected = items.filter((item) => item.decision === 'rejected').length;
    return `review ended: ${accepted} accepted, ${rejected} rejected, ${items.length - accepted - rejected} left open`;
  };

  /** Runs a decision; the review ends by itself once every prediction is accepted or rejected. */
  const decide = (run: (active: ReviewSession) => Promise<unknown>): Promise<void> => {
    const next = busy.then(async () => {
      const active = session;
      if (!active) return;
      try {
        await run(active);
      } catch (error) {
        log.warn(`review: ${(error as Error).message}`);
        void vscode.window.showWarningMessage(`BERT Lens: the review decision was not saved: ${(error as Error).message}`);
      }
      if (session !== active) return;
      if (active.queue.done) {
        const message = summary(active);
        await leave(message);
        void vscode.window.showInformationMessage(`BERT Lens: ${message}.`);
      } else show(true);
    });
    busy = next;
    return next;
  };

  /** The reviewable document of the active editor, or undefined (the user was told why). */
  const reviewable = (what: string): { document: vscode.TextDocument; key: string; location: DocumentLocation } | undefined => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(`BERT Lens: open a document with ${what} first.`);
      return undefined;
    }
    const location = documentLocation(editor.document);
    if (!isLocation(location)) {
      void vscode.window.showWarningMessage(`BERT Lens: cannot review ${what} into annotations here: ${location.reason}.`);
      return undefined;
    }
    return { document: editor.document, key: editor.document.uri.toString(), location };
  };

  const begin = async (
    found: { document: vscode.TextDocument; key: string; location: DocumentLocation },
    candidates: Parameters<typeof ReviewSession.start>[0]['candidates'],
    options: { target?: (document: ReviewDocument) => ReviewTarget; labelChoices?: readonly string[] } = {},
  ): Promise<void> => {
    const { document, key, location } = found;
    await leave();
    let rejections;
    try {
      rejections = await stores.storeFor(location.folderDir);
    } catch (error) {
      void vscode.window.showErrorMessage(`BERT Lens: could not read the review file of ${location.folderDir}: ${(error as Error).message}`);
      return;
    }
    for (const problem of rejections.problems) log.warn(`review: ${problem.file}: ${problem.message}`);
    const threshold = services.threshold();
    const reviewed: ReviewDocument = { key, location, getText: () => document.getText() };
    const started = await ReviewSession.start({
      document: reviewed,
      model,
      rejections,
      candidates,
      threshold,
      ...(options.target ? { target: options.target(reviewed) } : {}),
      ...(options.labelChoices ? { labelChoices: options.labelChoices } : {}),
    });
    if (!started) {
      void vscode.window.showErrorMessage(`BERT Lens: the stored annotations of ${location.path} could not be read (see the BERT Lens output).`);
      return;
    }
    const description = describeStart(started.queue, threshold);
    log.info(`review of ${location.path}: ${description}`);
    if (started.queue.total === 0) {
      void vscode.window.showInformationMessage(`BERT Lens: ${description}.`);
      return;
    }
    session = started;
    await vscode.commands.executeCommand('setContext', REVIEW_MODE_CONTEXT, true);
    vscode.window.setStatusBarMessage(`BERT Lens: ${description} — ${KEYS_HELP}`, 8000);
    show(true);
  };

  const start = async (): Promise<void> => {
    const found = reviewable('predictions');
    if (!found) return;
    const entry = entities.get(found.key);
    if (!entry || entry.entities.length === 0) {
      const run = 'Recognize Entities';
      const answer = await vscode.window.showInformationMessage('BERT Lens: this document has no predictions to review. Run Recognize Entities first.', run);
      if (answer === run) await vscode.commands.executeCommand('bertLens.recognizeEntities');
      return;
    }
    const { document } = found;
    const gap = (from: number, to: number): string => document.getText(new vscode.Range(document.positionAt(from), document.positionAt(to)));
    await begin(found, reviewCandidates(entry.entities, gap));
  };

  /** `choice`: the label set's exclusive/multi-label choice just switched (the setting may not have been read again yet). */
  const startClassifications = async (choice?: CategoryChoice): Promise<void> => {
    const found = reviewable('classification results');
    if (!found) return;
    const results = services.classifications.results(found.key);
    const set = choice ?? services.categorySet();
    const { candidates, labels, skipped, otherKind } = categoryReviewCandidates(results, found.document.getText(), set);
    for (const line of skipped) log.info(`review: ${line}`);
    if (candidates.length === 0 && otherKind > 0) {
      // Only results of the other kind: offer to switch the label set (kept: its labels).
      const kind = set.exclusive ? 'multi-label' : 'exclusive';
      const switchTo = `Make Text Categories ${set.exclusive ? 'Multi-Label' : 'Exclusive'}`;
      const answer = await vscode.window.showWarningMessage(`BERT Lens: nothing to review: ${skipped.join('; ')}. Review them as ${kind} categories?`, switchTo);
      if (answer !== switchTo) return;
      const switched: CategoryChoice = { exclusive: !set.exclusive };
      const configuration = vscode.workspace.getConfiguration('bertLens.annotation');
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await configuration.update('categories', { labels: [...services.categorySet().labels], ...switched }, target);
      log.info(`review: bertLens.annotation.categories.exclusive set to ${switched.exclusive} (${target === vscode.ConfigurationTarget.Workspace ? 'workspace' : 'user'} setting)`);
      await startClassifications(switched);
      return;
    }
    if (candidates.length === 0) {
      const run = 'Classify Each Paragraph';
      const why = results.length === 0 ? 'this document has no classification results' : `no classification results to review (${skipped.join('; ')})`;
      const answer = await vscode.window.showInformationMessage(`BERT Lens: ${why}. Run Classify Each Paragraph or Classify Document first.`, run);
      if (answer === run) await vscode.commands.executeCommand('bertLens.classifyParagraphs');
      return;
    }
    await begin(found, candidates, { target: (document) => categoryTarget(model, document, results, labels, set), labelChoices: labels });
  };

  const changeLabel = (): Promise<void> =>
    decide(async (active) => {
      const item = active.current();
      if (!item) return;
      if (active.labelChoices) {
        // A classification: one of the model's labels.
        const picked = await vscode.window.showQuickPick(
          active.labelChoices.map((label) => ({ label, description: label === item.label ? 'current' : undefined })),
          { title: `Accept ${JSON.stringify(item.text.slice(0, 40))} as` },
        );
        if (!picked || session !== active) return;
        await active.acceptAs(picked.label);
        return;
      }
      const labels = await model.labels(active.document.location.folderDir);
      const picked = await pickLabel(labels, { title: `Accept ${JSON.stringify(item.text.slice(0, 40))} as`, current: new Set([item.label]) });
      if (!picked || session !== active) return;
      if (picked.isNew) await model.addLabel(active.document.location.folderDir, picked.label);
      await active.acceptAs(picked.label);
    });

  return [
    status,
    current,
    vscode.commands.registerCommand(REVIEW_COMMANDS.start, start),
    vscode.commands.registerCommand(REVIEW_COMMANDS.startClassifications, () => startClassifications()),
    vscode.commands.registerCommand(REVIEW_COMMANDS.accept, () => decide((active) => active.accept())),
    vscode.commands.registerCommand(REVIEW_COMMANDS.reject, () => decide((active) => active.reject())),
    vscode.commands.registerCommand(REVIEW_COMMANDS.skip, () => decide((active) => active.skip())),
    vscode.commands.registerCommand(REVIEW_COMMANDS.changeLabel, changeLabel),
    vscode.commands.registerCommand(REVIEW_COMMANDS.next, () => decide(async (active) => active.next())),
    vscode.commands.registerCommand(REVIEW_COMMANDS.previous, () => decide(async (active) => active.previous())),
    vscode.commands.registerCommand(REVIEW_COMMANDS.leave, () => {
      const ended = session;
      return leave(ended && summary(ended));
    }),
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (!session || event.document.uri.toString() !== session.document.key || event.contentChanges.length === 0) return;
      const dropped = session.applyEdit(event.contentChanges);
      if (dropped.length > 0) log.info(`review: ${dropped.length} prediction(s) left the review because their text was edited`);
      if (session.queue.total === 0) void leave('review ended: the text of every prediction was edited');
      else show(false);
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      // The keys act on the reviewed document only: another document ends the review.
      if (session && editor?.viewColumn !== undefined && editor.document.uri.toString() !== session.document.key) void leave(summary(session));
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      if (session && document.uri.toString() === session.document.key) void leave(summary(session));
    }),
    vscode.window.onDidChangeVisibleTextEditors(() => show(false)),
  ];
}
