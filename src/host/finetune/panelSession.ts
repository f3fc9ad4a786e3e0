import * as path from 'node:path';
import type { DatasetSummary } from '../../core/finetune/types';
import type { TrainPayload } from '../../worker/jobKinds';
import { DEFAULT_FIELDS, type FormField, type FormFields } from '../../../webview/form';
import {
  MessageError, parseWebviewMessage, type HostMessage, type ModelOption, type Notice, type PanelState, type PickField, type RunView,
} from '../../../webview/protocol';
import type { LogLevel, TrainingController } from './trainingController';

/** What a panel session asks of the editor; registerFinetune implements it with the VS Code API, tests with plain functions. */
export interface PanelHost {
  summarize(fields: FormFields): Promise<DatasetSummary | null>;
  models(): Promise<ModelOption[]>;
  /** What Recognize Entities uses now (for the panel's caption). */
  nerModel(): string;
  /** The checks before a start; a payload only when nothing stands in the way. */
  plan(fields: FormFields): Promise<{ payload?: TrainPayload; notices: Notice[] }>;
  pick(field: PickField, fields: FormFields): Promise<string | undefined>;
  /** Points Recognize Entities at a model folder; returns what to tell the user. */
  useForNer(dir: string): Promise<string>;
  /** Copies a model folder where the user chooses; undefined when the dialog was dismissed. */
  exportModel(dir: string): Promise<string | undefined>;
  /** The runs on disk; `trainingDir` is the run the job writes now (it cannot be deleted). */
  runs(trainingDir: string | null): Promise<RunView[]>;
  /** Asks the user (a modal dialog); true only when they confirmed. */
  confirmDeleteRun(run: RunView): Promise<boolean>;
  /** Deletes a run folder (runFolders.deleteRun: it refuses the training run too). */
  deleteRun(dir: string, trainingDir: string | null): Promise<void>;
  /** Shows the full panel in the editor area (asked by the sidebar's compact status). */
  openPanel(): void;
  savedFields(): FormFields | undefined;
  saveFields(fields: FormFields): void;
  log(level: LogLevel, message: string): void;
}

/** Fields whose change changes the dataset summary. */
const DATA_FIELDS: readonly FormField[] = ['task', 'dataSource', 'dataFile', 'devKind', 'devRatio', 'devPath'];
const MAX_NOTICES = 8;
/** Job updates are coalesced: a fast trainer logs hundreds of steps a second. */
export const JOB_UPDATE_MS = 200;

/**
 * One webview's conversation with the host: every incoming message is validated (parseWebviewMessage)
 * before anything acts on it, model paths from the page are only used when the host listed them,
 * and job updates are forwarded while the page lives. Disposing the session (the panel was closed)
 * leaves the TrainingController and its job untouched.
 */
export class PanelSession {
  private fields: FormFields;
  private dataset: DatasetSummary | null = null;
  private models: ModelOption[] = [];
  private runs: RunView[] = [];
  private notices: Notice[] = [];
  private jobTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: { dispose(): void };
  private disposed = false;
  private summaryVersion = 0;

  constructor(
    private readonly post: (message: HostMessage) => void,
    private readonly host: PanelHost,
    private readonly controller: TrainingController,
  ) {
    this.fields = host.savedFields() ?? { ...DEFAULT_FIELDS };
    let wasActive = controller.active;
    this.subscription = controller.onDidChange(() => {
      this.scheduleJob();
      // Every page learns of a job's end, also one opened after the job started (a reopened panel):
      // the run's size, its checkpoints and the final model are on disk now.
      if (wasActive && !controller.active) void Promise.all([this.refreshModels(), this.refreshRuns()]);
      wasActive = controller.active;
    });
  }

  async receive(raw: unknown): Promise<void> {
    let message;
    try {
      message = parseWebviewMessage(raw);
    } catch (error) {
      this.host.log('warn', `fine-tune panel: ignored a message (${error instanceof MessageError ? error.message : String(error)})`);
      return;
    }
    try {
      switch (message.type) {
        case 'ready':
          await Promise.all([this.refreshDataset(), this.refreshModels(), this.refreshRuns()]);
          this.sendJob();
          return;
        case 'fieldsChanged': {
          const dataChanged = DATA_FIELDS.some((f) => message.fields[f] !== this.fields[f]);
          this.fields = message.fields;
          this.host.saveFields(message.fields);
          if (dataChanged) await this.refreshDataset();
          return;
        }
        case 'refreshDataset':
          await Promise.all([this.refreshDataset(), this.refreshModels(), this.refreshRuns()]);
          return;
        case 'openPanel':
          this.host.openPanel();
          return;
        case 'useRunForNer': {
          const run = this.runs.find((r) => r.path === message.path);
          if (!run) {
            this.notify({ level: 'error', text: `${message.path} is not one of the runs this panel listed.` });
          } else if (!run.nerModel) {
            this.notify({ level: 'error', text: `${run.name} holds no model yet (no checkpoint and no final model).` });
          } else {
            this.notify({ level: 'info', text: await this.host.useForNer(run.nerModel) });
          }
          return;
        }
        case 'deleteRun':
          await this.deleteRun(message.path);
          return;
        case 'start':
          await this.start(message.fields);
          return;
        case 'pause':
          this.controller.pause();
          return;
        case 'resume':
          this.controller.resume();
          return;
        case 'cancel':
          this.controller.cancel();
          return;
        case 'pick': {
          const picked = await this.host.pick(message.field, this.fields);
          if (picked !== undefined && !this.disposed) this.post({ type: 'picked', field: message.field, path: picked });
          return;
        }
        case 'useForNer':
        case 'export': {
          if (!this.isListedModel(message.path)) {
            this.notify({ level: 'error', text: `${message.path} is not one of the models this panel listed.` });
            return;
          }
          if (message.type === 'useForNer') {
            this.notify({ level: 'info', text: await this.host.useForNer(message.path) });
          } else {
            const target = await this.host.exportModel(message.path);
            if (target) this.notify({ level: 'info', text: `Exported to ${target}` });
          }
          return;
        }
        case 'problem':
          this.host.log('warn', `fine-tune panel: ${message.text}`);
          return;
      }
    } catch (error) {
      this.host.log('error', `fine-tune panel: ${message.type} failed: ${(error as Error).stack ?? String(error)}`);
      this.notify({ level: 'error', text: (error as Error).message });
    }
  }

  dispose(): void {
    this.disposed = true;
    this.subscription.dispose();
    if (this.jobTimer) clearTimeout(this.jobTimer);
  }

  private isListedModel(dir: string): boolean {
    return this.controller.isKnownModel(dir) || this.models.some((m) => m.path === dir) || this.runs.some((r) => r.nerModel === dir);
  }

  /** The folder the running job writes; null when no job is active. */
  private trainingDir(): string | null {
    return this.controller.active ? this.controller.view.outputDir : null;
  }

  private async deleteRun(dir: string): Promise<void> {
    const run = this.runs.find((r) => r.path === dir);
    if (!run) {
      this.notify({ level: 'error', text: `${dir} is not one of the runs this panel listed.` });
      return;
    }
    const training = this.trainingDir();
    if (training !== null && path.resolve(training) === path.resolve(run.path)) {
      this.notify({ level: 'error', text: `${run.name} is training: cancel the job (or let it finish) before deleting the run.` });
      return;
    }
    if (!(await this.host.confirmDeleteRun(run))) return;
    await this.host.deleteRun(run.path, this.trainingDir());
    this.notify({ level: 'info', text: `Deleted the run ${run.name}.` });
    await Promise.all([this.refreshModels(), this.refreshRuns()]);
  }

  private async start(fields: FormFields): Promise<void> {
    this.fields = fields;
    this.host.saveFields(fields);
    if (this.controller.active) {
      this.notify({ level: 'error', text: 'A training job is already running: cancel it before starting another.' });
      return;
    }
    const plan = await this.host.plan(fields);
    this.notices = plan.notices.slice(-MAX_NOTICES);
    this.sendState();
    if (!plan.payload) return;
    // The job's end is reported through the controller's view (and refreshes the runs, above).
    void this.controller.start(plan.payload);
    await this.refreshRuns();
  }

  private notify(notice: Notice): void {
    this.notices = [...this.notices, notice].slice(-MAX_NOTICES);
    this.sendState();
  }

  private async refreshDataset(): Promise<void> {
    const version = ++this.summaryVersion;
    const summary = await this.host.summarize(this.fields);
    // A newer request (the user kept typing) wins over a slower older one.
    if (version !== this.summaryVersion) return;
    this.dataset = summary;
    this.sendState();
  }

  private async refreshModels(): Promise<void> {
    this.models = await this.host.models();
    this.sendState();
  }

  private async refreshRuns(): Promise<void> {
    this.runs = await this.host.runs(this.trainingDir());
    this.sendState();
  }

  private state(): PanelState {
    return { dataset: this.dataset, models: this.models, fields: this.fields, notices: this.notices, nerModel: this.host.nerModel(), runs: this.runs };
  }

  private sendState(): void {
    if (!this.disposed) this.post({ type: 'state', state: this.state() });
  }

  private scheduleJob(): void {
    if (this.disposed || this.jobTimer) return;
    this.jobTimer = setTimeout(() => {
      this.jobTimer = undefined;
      this.sendJob();
    }, JOB_UPDATE_MS);
  }

  private sendJob(): void {
    if (!this.disposed) this.post({ type: 'job', job: this.controller.view });
  }
}
