import * as vscode from 'vscode';
import type { JobPayload, JobProgress, JobResult, ModelSpec } from '../../../worker/jobKinds';
import type { TaskJobKinds } from '../../../worker/taskJobKinds';
import type { ChangeTracker, EditsSince } from '../../ner/changeTracker';
import type { ModelChoice } from '../../ner/modelChoice';
import { failureLogEntry } from '../../failureLog';
import { ProgressSteps, type ProgressStep } from '../../ner/progressSteps';
import { JobError, type WorkerClient } from '../../workerClient';
import { taskFailure } from './taskFailure';
import { chooseTaskModel, TASK_MODELS, type TaskModelContext, type TaskName } from './taskModels';
import type { RuntimeSettings } from './taskSettings';

export type TaskKind = keyof TaskJobKinds;

export interface TaskRunnerDeps {
  client: WorkerClient;
  tracker: ChangeTracker;
  log: vscode.LogOutputChannel;
  /** Converted ONNX graphs are cached below this folder (the extension's global storage). */
  cacheDir: string;
  modelContext(document: vscode.TextDocument): TaskModelContext;
}

export interface TaskJobRequest<K extends TaskKind> {
  task: TaskName;
  kind: K;
  /** The payload without its model: the runner fills that in from the task's setting. */
  payload: Omit<JobPayload<K>, 'model'>;
  /** The value of the task's model setting. */
  modelSetting: string;
  /** The model from modelFor(), when the command checked it before asking for its input. */
  model?: ModelChoice;
  runtime: RuntimeSettings;
  document: vscode.TextDocument;
  /** The progress notification's title, e.g. "BERT Lens: answering “Who…?”". */
  title: string;
  /** Progress events the standard steps do not cover (e.g. generated tokens). */
  onProgress?: (progress: JobProgress<K>) => ProgressStep | undefined;
}

/** A finished job: its result, the model, and the edits made to the document since its text was taken. */
export interface TaskJobOutcome<K extends TaskKind> {
  result: JobResult<K>;
  model: ModelChoice;
  /** Keep until the result is placed (a quick pick may wait for the user); then dispose. */
  edits: EditsSince;
}

const OPEN_SETTINGS = 'Open Settings';
const SHOW_LOG = 'Show Log';

/**
 * Runs one task job in the worker for a document: picks the model from the task's setting, shows a
 * progress notification with Cancel, records the document's edits from the moment its text was taken
 * (call run() in the same tick as reading the text), and reports failures as one line. A newer run
 * of the same task on the same document cancels the older one. Resolves to undefined when there is
 * no result to show (failed, cancelled, superseded, document closed).
 */
export class TaskRunner implements vscode.Disposable {
  private readonly inFlight = new Map<string, AbortController>();

  constructor(private readonly deps: TaskRunnerDeps) {}

  cancel(task: TaskName, document: vscode.TextDocument): void {
    this.inFlight.get(slotOf(task, document))?.abort();
  }

  cancelDocument(document: vscode.TextDocument): void {
    const suffix = `\u0000${document.uri.toString()}`;
    for (const [slot, controller] of this.inFlight) if (slot.endsWith(suffix)) controller.abort();
  }

  dispose(): void {
    for (const controller of this.inFlight.values()) controller.abort();
  }

  async run<K extends TaskKind>(request: TaskJobRequest<K>): Promise<TaskJobOutcome<K> | undefined> {
    const { document, task } = request;
    const info = TASK_MODELS[task];
    const key = document.uri.toString();
    // Taken first, in the caller's tick: every edit after the caller read the text is recorded.
    const edits = this.deps.tracker.track(key);
    const model = request.model ?? this.modelFor(task, request.modelSetting, document);
    if (!model) {
      edits.dispose();
      return undefined;
    }
    const spec: ModelSpec = {
      reference: model.reference,
      quantized: request.runtime.quantized,
      threads: request.runtime.threads,
      cacheDir: this.deps.cacheDir,
      endpoint: request.runtime.hubEndpoint,
      offline: request.runtime.hubOffline,
    };
    const slot = slotOf(task, document);
    this.inFlight.get(slot)?.abort();
    const controller = new AbortController();
    this.inFlight.set(slot, controller);
    const started = performance.now();
    let keepEdits = false;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: request.title, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          const steps = new ProgressSteps();
          const payload = { ...request.payload, model: spec } as JobPayload<K>;
          return this.deps.client.run(request.kind, payload, {
            signal: controller.signal,
            onProgress: (event) => {
              const step = request.onProgress?.(event) ?? standardStep(steps, event);
              if (step) progress.report(step);
            },
          });
        },
      );
      if (this.inFlight.get(slot) !== controller) return undefined; // superseded by a newer run
      if (edits.lost || document.isClosed) {
        this.deps.log.info(`${info.title} result for ${document.uri.toString()} dropped: the document was closed meanwhile`);
        return undefined;
      }
      this.deps.log.info(`${info.title}: done in ${((performance.now() - started) / 1000).toFixed(1)} s with ${model.reference}`);
      keepEdits = true;
      return { result, model, edits };
    } catch (error) {
      const superseded = this.inFlight.get(slot) !== controller;
      if (error instanceof JobError && error.cancelled) {
        if (!superseded) vscode.window.setStatusBarMessage(`BERT Lens: ${info.title} cancelled.`, 5000);
        return undefined;
      }
      if (!superseded) this.showFailure(error, task, model);
      return undefined;
    } finally {
      if (!keepEdits) edits.dispose();
      if (this.inFlight.get(slot) === controller) this.inFlight.delete(slot);
    }
  }

  /**
   * The model a task command will use, checked before the command asks for its input (a question,
   * a [MASK] line…): a task without a model says so first, with Open Settings, instead of after the
   * user typed. Undefined (and the message shown) when the setting names no usable model.
   */
  modelFor(task: TaskName, modelSetting: string, document: vscode.TextDocument): ModelChoice | undefined {
    try {
      return chooseTaskModel(task, modelSetting, this.deps.modelContext(document));
    } catch (error) {
      this.showFailure(error, task, undefined);
      return undefined;
    }
  }

  /** Not awaited: the run is over while the message waits for the user. */
  showFailure(error: unknown, task: TaskName, model: ModelChoice | undefined): void {
    const info = TASK_MODELS[task];
    const { message, offerSettings, isInputProblem } = taskFailure(error, info.title, model);
    const entry = isInputProblem ? { level: 'info' as const, text: message } : failureLogEntry(message, error);
    this.deps.log[entry.level](entry.text);
    const actions = [...(offerSettings ? [OPEN_SETTINGS] : []), ...(isInputProblem ? [] : [SHOW_LOG])];
    const show = isInputProblem ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    void show(message, ...actions).then((choice) => {
      if (choice === OPEN_SETTINGS) void vscode.commands.executeCommand('workbench.action.openSettings', info.setting);
      else if (choice === SHOW_LOG) this.deps.log.show(true);
    });
  }
}

function slotOf(task: TaskName, document: vscode.TextDocument): string {
  return `${task}\u0000${document.uri.toString()}`;
}

/** Loading and inference progress as the NER command shows it; other phases (tokens) are the request's. */
function standardStep(steps: ProgressSteps, event: unknown): ProgressStep | undefined {
  const phase = (event as { phase?: unknown }).phase;
  if (phase === 'download' || phase === 'loading' || phase === 'inference') return steps.next(event as Parameters<ProgressSteps['next']>[0]);
  return undefined;
}
