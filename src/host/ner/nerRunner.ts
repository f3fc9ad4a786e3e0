import * as vscode from 'vscode';
import type { ModelSpec } from '../../worker/jobKinds';
import { failureLogEntry } from '../failureLog';
import { JobError, type WorkerClient } from '../workerClient';
import type { ChangeTracker } from './changeTracker';
import { classifyText } from './documentText';
import { entitiesFromResults, mapOffset, reanchorEntities, replaceInRanges, type DocumentEntity } from './entities';
import type { EntityStore } from './entityStore';
import { failureMessage } from './failureMessage';
import type { ModelChoice } from './modelChoice';
import type { NerSettings } from './nerSettings';
import { ProgressSteps } from './progressSteps';
import { segmentsAreBlank, segmentsToAnalyse } from './segments';

export interface NerRunnerDeps {
  client: WorkerClient;
  store: EntityStore;
  tracker: ChangeTracker;
  log: vscode.LogOutputChannel;
  settings(): { settings: NerSettings; problems: string[] };
  /** Throws ModelSettingError for a setting that cannot name a model. */
  chooseModel(document: vscode.TextDocument, setting: string): ModelChoice;
  /** Converted ONNX graphs and hub downloads are cached below this folder (the extension's global storage). */
  cacheDir: string;
}

export interface RecognizeRequest {
  document: vscode.TextDocument;
  /** Document offsets; empty = the whole document. */
  selections: ReadonlyArray<{ start: number; end: number }>;
  /** A command the user ran (notification with Cancel, messages) or a background re-run (status bar only). */
  interactive: boolean;
}

const OPEN_SETTINGS = 'Open Settings';
const SHOW_LOG = 'Show Log';

/**
 * "Recognize Entities" for one document: takes a snapshot of its text, runs the recognition job in
 * the worker with a cancellable progress notification, moves the results through the edits made
 * meanwhile (or drops those whose text changed) and stores them. A newer run on the same document
 * supersedes an older one.
 */
export class NerRunner implements vscode.Disposable {
  private readonly inFlight = new Map<string, AbortController>();
  private reportedProblems = '';

  constructor(private readonly deps: NerRunnerDeps) {}

  cancel(document: vscode.TextDocument): void {
    this.inFlight.get(document.uri.toString())?.abort();
  }

  isRunning(document: vscode.TextDocument): boolean {
    return this.inFlight.has(document.uri.toString());
  }

  dispose(): void {
    for (const controller of this.inFlight.values()) controller.abort();
  }

  async recognize(request: RecognizeRequest): Promise<void> {
    const { document, interactive } = request;
    const { store, log } = this.deps;
    const key = document.uri.toString();
    const name = vscode.workspace.asRelativePath(document.uri);
    const snapshot = document.getText();
    const segments = segmentsToAnalyse(snapshot, request.selections);
    const wholeDocument = segments.length === 1 && segments[0]!.offset === 0 && segments[0]!.text.length === snapshot.length;

    if (classifyText(snapshot) === 'binary') {
      if (interactive) void vscode.window.showWarningMessage(`BERT Lens: ${name} looks like binary data (NUL or control characters), not text; entity recognition needs a text document.`);
      return;
    }
    if (segmentsAreBlank(segments)) {
      if (wholeDocument) store.delete(key);
      if (interactive) void vscode.window.showInformationMessage(`BERT Lens: nothing to analyse, the ${wholeDocument ? 'document' : 'selection'} is empty.`);
      return;
    }

    const { settings, problems } = this.deps.settings();
    this.reportProblems(problems);
    let model: ModelChoice | undefined;
    try {
      model = this.deps.chooseModel(document, settings.model);
    } catch (error) {
      this.showFailure(error, undefined, interactive);
      return;
    }
    const spec: ModelSpec = {
      reference: model.reference,
      quantized: settings.quantized,
      threads: settings.threads,
      cacheDir: this.deps.cacheDir,
      endpoint: settings.hubEndpoint,
      offline: settings.hubOffline,
    };

    this.inFlight.get(key)?.abort();
    const controller = new AbortController();
    this.inFlight.set(key, controller);
    // Taken in the same tick as the snapshot: every later edit is recorded.
    const edits = this.deps.tracker.track(key);
    const started = performance.now();
    const chosen = model;
    try {
      const result = await vscode.window.withProgress(
        {
          location: interactive ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
          title: `BERT Lens: recognizing entities in ${name}`,
          cancellable: interactive,
        },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          const steps = new ProgressSteps();
          return this.deps.client.run('recognizeEntities', {
            model: spec,
            texts: segments.map((segment) => segment.text),
            options: {
              aggregationStrategy: settings.aggregationStrategy,
              ignoreLabels: settings.ignoreLabels,
              maxLength: settings.maxLength,
              stride: settings.stride,
              batchSize: settings.batchSize,
              segmentation: settings.segmentation,
              packing: settings.packing,
            },
          }, { signal: controller.signal, onProgress: (event) => progress.report(steps.next(event)) });
        },
      );
      if (this.inFlight.get(key) !== controller) return; // superseded by a newer run
      if (edits.lost || document.isClosed) {
        log.info(`recognition results for ${name} dropped: the document was closed meanwhile`);
        return;
      }
      let entities = entitiesFromResults(result.entities, segments, snapshot);
      let ranges = segments.map((segment) => ({ start: segment.offset, end: segment.offset + segment.text.length }));
      if (edits.changes.length > 0) {
        const moved = reanchorEntities(entities, edits.changes, document.getText());
        entities = moved.entities;
        ranges = ranges.map((range) => ({ start: mapOffset(range.start, edits.changes, 'start'), end: mapOffset(range.end, edits.changes, 'end') }));
        log.info(`${name} changed while the model ran: ${moved.entities.length} entities moved with their text, ${moved.dropped.length} dropped (their text was edited)`);
      }
      const previous = store.get(key);
      const keepOthers = !wholeDocument && previous !== undefined && previous.model.reference === result.model.reference;
      const merged: DocumentEntity[] = keepOthers ? replaceInRanges(previous.entities, entities, ranges) : entities;
      store.set(key, { model: result.model, modelDescription: chosen.description, entities: merged });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      log.info(`${name}: ${entities.length} entities in ${seconds} s (${snapshot.length} characters analysed in ${segments.length} segment(s), model ${chosen.reference})`);
      if (interactive) {
        if (entities.length === 0) void vscode.window.showInformationMessage(`BERT Lens: no entities found in ${name} (model: ${chosen.description}).`);
        else vscode.window.setStatusBarMessage(`BERT Lens: ${entities.length} entities in ${name}`, 5000);
      }
    } catch (error) {
      const superseded = this.inFlight.get(key) !== controller;
      if (error instanceof JobError && error.cancelled) {
        if (interactive && !superseded) void vscode.window.showInformationMessage('BERT Lens: entity recognition cancelled.');
        return;
      }
      if (!superseded) this.showFailure(error, chosen, interactive);
    } finally {
      edits.dispose();
      if (this.inFlight.get(key) === controller) this.inFlight.delete(key);
    }
  }

  private reportProblems(problems: string[]): void {
    const text = problems.join('; ');
    if (text === '' || text === this.reportedProblems) return;
    this.reportedProblems = text;
    this.deps.log.warn(`settings: ${text}`);
    void vscode.window.showWarningMessage(`BERT Lens settings: ${text} (using the defaults for these).`);
  }

  /** Not awaited by recognize(): the run is over while the message waits for the user. */
  private showFailure(error: unknown, model: ModelChoice | undefined, interactive: boolean): void {
    const { message, offerSettings } = failureMessage(error, model);
    const entry = failureLogEntry(message, error);
    this.deps.log[entry.level](entry.text);
    if (!interactive) {
      vscode.window.setStatusBarMessage(message, 10_000);
      return;
    }
    void vscode.window.showErrorMessage(message, ...(offerSettings ? [OPEN_SETTINGS] : []), SHOW_LOG).then((choice) => {
      if (choice === OPEN_SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', 'bertLens.ner.model');
      else if (choice === SHOW_LOG) this.deps.log.show(true);
    });
  }
}
