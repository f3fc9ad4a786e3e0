/*
 * The fine-tune panel (dist/webview.js, a browser bundle loaded by a strict-CSP page). Builds the UI
 * with @vscode-elements components through h() (text only, never innerHTML), validates what the
 * host sends (protocol.ts) and what the user types (form.ts, the same parser the host runs again),
 * draws the learning-rate preview with the trainer's own schedule functions, and keeps the fields in
 * the webview state so they survive hiding the panel.
 */
import './litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import { decimate, lineChart, type Point } from './charts';
import { h, type Attributes, type Child, type DomLike } from './dom';
import {
  DEFAULT_FIELDS, FORM_FIELDS, parseForm, SCHEDULE_PARAMETER_FIELDS, scheduleParameterDefault, scheduleParameters,
  type FormField, type FormFields,
} from './form';
import { lrPreview } from './lrPreview';
import {
  IDLE_JOB, MessageError, parseHostMessage, parseSavedFields, type JobView, type PanelState, type WebviewMessage,
} from './protocol';
import {
  formatBytes, formatDuration, progressText, renderCheckpoints, renderConfusionMatrix, renderDataset, renderMessages, renderMetricsTable,
  renderNotices, renderOverfitting, renderRuns, renderStatus,
} from './views';
import { SCHEDULE_TYPES } from '../src/core/train/schedules';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const doc = document as unknown as DomLike;
type HtmlChild = HTMLElement | string | number | null | undefined | false;
/** h() on the real document; DOM elements satisfy DomLike's ElementLike, which the checker cannot see through appendChild's generic. */
const el = (tag: string, attributes: Attributes = {}, ...children: HtmlChild[]): HTMLElement =>
  h(doc, tag, attributes, ...(children as unknown as Child[])) as unknown as HTMLElement;

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function report(text: string): void {
  post({ type: 'problem', text: text.slice(0, 2000) });
}

window.addEventListener('error', (event) => report(`script error: ${event.message} (${event.filename}:${event.lineno})`));
document.addEventListener('securitypolicyviolation', (event) => report(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline content'}`));

// ---------------------------------------------------------------------------------------------
// State

function savedFields(): FormFields | undefined {
  try {
    const state = vscode.getState() as { fields?: unknown } | undefined;
    return state?.fields === undefined ? undefined : parseSavedFields(state.fields);
  } catch {
    return undefined;
  }
}

const saved = savedFields();
let fields: FormFields = saved ?? { ...DEFAULT_FIELDS };
/** Until the page has fields of its own (saved state or typed), the host's saved ones may replace the defaults. */
let ownFields = saved !== undefined;
let panel: PanelState | null = null;
let job: JobView = { ...IDLE_JOB };

// ---------------------------------------------------------------------------------------------
// Form building

type FieldElement = HTMLElement & { value: string; invalid?: boolean; disabled?: boolean };
const inputs = new Map<FormField, FieldElement>();
const errorSlots = new Map<FormField, HTMLElement>();
const rows = new Map<FormField, HTMLElement>();

function row(field: FormField, label: string, control: HTMLElement, extra?: HTMLElement, hint?: string): HTMLElement {
  const id = `field-${field}`;
  control.setAttribute('id', id);
  control.setAttribute('data-field', field);
  const error = el('div', { class: 'field-error', 'data-error-for': field, role: 'alert' });
  errorSlots.set(field, error);
  inputs.set(field, control as FieldElement);
  const element = el('div', { class: 'field', 'data-row': field },
    el('vscode-label', { for: id }, label),
    el('div', { class: 'field-control' }, control, extra ?? null),
    hint ? el('div', { class: 'field-hint' }, hint) : null,
    error);
  rows.set(field, element);
  return element;
}

function textField(field: FormField, label: string, hint?: string, extra?: HTMLElement): HTMLElement {
  return row(field, label, el('vscode-textfield', { name: field }), extra, hint);
}

function selectField(field: FormField, label: string, options: ReadonlyArray<readonly [string, string]>, hint?: string): HTMLElement {
  const select = el('vscode-single-select', { name: field }, ...options.map(([value, text]) => el('vscode-option', { value }, text)));
  return row(field, label, select, undefined, hint);
}

function browse(field: 'baseModel' | 'dataFile' | 'devPath'): HTMLElement {
  return el('vscode-button', { secondary: true, 'data-action': 'pick', 'data-pick': field, title: 'Choose with a dialog' }, 'Browse…');
}

const checkpointSelect = el('vscode-single-select', { id: 'checkpoint-pick', 'data-checkpoints': '' }) as FieldElement;

function section(title: string, id: string, ...children: HTMLElement[]): HTMLElement {
  return el('vscode-collapsible', { heading: title, open: true, 'data-section': id }, el('div', { class: 'section-body' }, ...children));
}

const noticesSlot = el('div', { class: 'notices-slot' });
const datasetSlot = el('div', { class: 'dataset-slot' });
const previewSlot = el('div', { class: 'chart-slot', 'data-slot': 'lr-preview' });
const previewCaption = el('div', { class: 'chart-caption', 'data-caption': 'lr-preview' });
const nerModelCaption = el('div', { class: 'field-hint' });
const progressLine = el('div', { class: 'progress-text', 'data-progress': '' });
const progressBar = el('vscode-progress-bar', { class: 'progress-bar' }) as HTMLElement & { value?: number; max: number; indeterminate?: boolean };
const chartsSlot = el('div', { class: 'charts' });
const metricsSlot = el('div', { class: 'metrics-slot' });
const confusionSlot = el('div', { class: 'confusion-slot' });
const overfittingSlot = el('div', { class: 'overfitting-slot' });
const diskLine = el('div', { class: 'run-disk', 'data-disk': '' });
const runsSlot = el('div', { class: 'runs-slot' });
const checkpointsSlot = el('div', { class: 'checkpoints-slot' });
const messagesSlot = el('div', { class: 'messages-slot' });
const errorLine = el('div', { class: 'job-error', role: 'alert' });
const buttons = {
  start: el('vscode-button', { 'data-action': 'start' }, 'Start'),
  pause: el('vscode-button', { 'data-action': 'pause', secondary: true }, 'Pause'),
  resume: el('vscode-button', { 'data-action': 'resume', secondary: true }, 'Resume'),
  cancel: el('vscode-button', { 'data-action': 'cancel', secondary: true }, 'Cancel'),
} as unknown as Record<'start' | 'pause' | 'resume' | 'cancel', HTMLElement & { disabled: boolean }>;

function build(root: HTMLElement): void {
  const schedules = SCHEDULE_TYPES.map((t) => [t, t] as const);
  root.replaceChildren(
    noticesSlot,
    section('Dataset', 'dataset',
      selectField('task', 'Task', [['ner', 'NER (token classification)'], ['classify', 'Text classification']]),
      selectField('dataSource', 'Training data', [['store', 'Workspace annotations (.bert-lens/annotations.jsonl: spans for NER, text categories for classification)'], ['file', 'Data file']]),
      selectField('categoryUnit', 'Examples', [['all', 'Every text-category decision (documents, paragraphs, selections)'], ['paragraph', 'Paragraphs and selections'], ['document', 'Whole documents']]),
      textField('dataFile', 'Data file', 'CoNLL/BIO, Prodigy JSONL, HF token JSONL, Label Studio JSON; classification: TSV or JSONL', browse('dataFile')),
      selectField('devKind', 'Dev set', [['ratio', 'Hold out a share of the examples'], ['path', 'A file or folder'], ['none', 'None (no evaluation)']]),
      textField('devRatio', 'Dev ratio', 'seeded split (seed below), e.g. 0.2'),
      textField('devPath', 'Dev file or folder', undefined, browse('devPath')),
      datasetSlot,
      el('vscode-button', { secondary: true, 'data-action': 'refresh' }, 'Refresh'),
    ),
    section('Base model', 'model',
      selectField('baseModelKind', 'Start from', [['bundled', 'Bundled model'], ['folder', 'Local folder'], ['hub', 'Hugging Face hub id'], ['checkpoint', 'Previous checkpoint']]),
      textField('baseModel', 'Model', 'a folder in the HF layout with model.safetensors, or owner/name on the hub', browse('baseModel')),
      el('div', { class: 'field', 'data-row': 'checkpointPick' }, el('vscode-label', { for: 'checkpoint-pick' }, 'Checkpoint'), checkpointSelect),
      nerModelCaption,
    ),
    section('Hyperparameters', 'hyperparameters',
      textField('learning_rate', 'learning_rate'),
      textField('weight_decay', 'weight_decay'),
      textField('no_decay', 'no-decay patterns', 'parameter-name parts without weight decay, comma-separated'),
      textField('num_train_epochs', 'num_train_epochs'),
      textField('per_device_train_batch_size', 'per_device_train_batch_size'),
      textField('max_seq_length', 'max_seq_length', 'longer examples become overlapping windows'),
      selectField('warmupKind', 'Warmup given as', [['ratio', 'warmup_ratio'], ['steps', 'warmup_steps']]),
      textField('warmup_ratio', 'warmup_ratio'),
      textField('warmup_steps', 'warmup_steps'),
      selectField('lr_scheduler_type', 'lr_scheduler_type', schedules),
      textField('num_cycles', 'num_cycles'),
      textField('power', 'power'),
      textField('lr_end', 'lr_end'),
      textField('timescale', 'timescale'),
      textField('max_grad_norm', 'max_grad_norm', '0: no clipping'),
      selectField('group_by_length', 'group_by_length', [['false', 'Off (random batches)'], ['true', 'On (batches of similar length)']], 'less padding for QA; NER and classification pack short rows anyway. May learn worse when length goes with the kind of row'),
      selectField('trainLayers', 'Train layers', [['all', 'All (full fine-tuning)'], ['top', 'Top k encoder layers + head'], ['head', 'Head only']]),
      textField('topLayers', 'k (top layers)'),
      textField('seed', 'seed'),
      el('div', { class: 'chart-block' }, previewSlot, previewCaption),
    ),
    section('Checkpoints and best model', 'checkpointing',
      textField('save_steps', 'save_steps', '0: a checkpoint at the end of each epoch'),
      textField('save_total_limit', 'save_total_limit', 'checkpoints kept on disk (oldest deleted first, never the best; 0: keep all)'),
      selectField('load_best_model_at_end', 'load_best_model_at_end', [['true', 'On (the final model is the best checkpoint)'], ['false', 'Off (the final model is the last step)']]),
      textField('metric_for_best_model', 'metric_for_best_model', 'score (dev F1 for NER, accuracy for classification), or f1, precision, recall, accuracy, macro_f1, eval_loss'),
      selectField('greater_is_better', 'greater_is_better', [['auto', 'Auto (true unless the metric ends with "loss")'], ['true', 'True'], ['false', 'False']]),
    ),
    section('Training', 'training',
      el('div', { class: 'buttons' }, buttons.start, buttons.pause, buttons.resume, buttons.cancel),
      progressLine,
      progressBar,
      errorLine,
      overfittingSlot,
      chartsSlot,
      metricsSlot,
      confusionSlot,
      el('h4', {}, 'Checkpoints'),
      diskLine,
      checkpointsSlot,
      messagesSlot,
    ),
    section('Runs on disk', 'runs', runsSlot),
  );
  for (const [field, input] of inputs) {
    const onEdit = (): void => {
      fields = { ...fields, [field]: String(input.value ?? '') };
      edited();
    };
    input.addEventListener('input', onEdit);
    input.addEventListener('change', onEdit);
  }
  checkpointSelect.addEventListener('change', () => {
    fields = { ...fields, baseModel: String(checkpointSelect.value ?? '') };
    edited();
  });
  root.addEventListener('click', onClick);
}

// ---------------------------------------------------------------------------------------------
// Rendering

function applyFields(): void {
  for (const field of FORM_FIELDS) {
    const input = inputs.get(field);
    if (input && input.value !== fields[field]) input.value = fields[field];
  }
  if (fields.baseModelKind === 'checkpoint') checkpointSelect.value = fields.baseModel;
}

function show(field: FormField | 'checkpointPick', visible: boolean): void {
  const element = field === 'checkpointPick' ? checkpointSelect.parentElement : rows.get(field);
  if (element) element.hidden = !visible;
}

function renderForm(): void {
  show('dataFile', fields.dataSource === 'file');
  show('categoryUnit', fields.task === 'classify' && fields.dataSource === 'store');
  show('devRatio', fields.devKind === 'ratio');
  show('devPath', fields.devKind === 'path');
  show('baseModel', fields.baseModelKind === 'folder' || fields.baseModelKind === 'hub');
  show('checkpointPick', fields.baseModelKind === 'checkpoint');
  const browseModel = rows.get('baseModel')?.querySelector('[data-pick="baseModel"]') as HTMLElement | null;
  if (browseModel) browseModel.hidden = fields.baseModelKind !== 'folder';
  show('warmup_ratio', fields.warmupKind === 'ratio');
  show('warmup_steps', fields.warmupKind === 'steps');
  const relevant = scheduleParameters(fields.lr_scheduler_type);
  for (const parameter of SCHEDULE_PARAMETER_FIELDS) {
    show(parameter, relevant.includes(parameter));
    inputs.get(parameter)?.setAttribute('placeholder', `default ${scheduleParameterDefault(fields.lr_scheduler_type, parameter)}`);
  }
  show('topLayers', fields.trainLayers === 'top');

  const { errors } = parseForm(fields);
  for (const [field, slot] of errorSlots) {
    slot.textContent = errors[field] ?? '';
    const input = inputs.get(field);
    if (input) input.invalid = errors[field] !== undefined;
  }
  renderPreview(errors);
}

function renderPreview(errors: ReturnType<typeof parseForm>['errors']): void {
  const { request } = parseForm(fields);
  const known = panel?.dataset && panel.dataset.task === fields.task ? panel.dataset.train : 0;
  const rowsForPreview = known > 0 ? known : 100;
  let chart: HTMLElement;
  let caption: string;
  if (!request) {
    const fieldsWithErrors = Object.keys(errors).join(', ');
    chart = lineChart(doc, { id: 'lr-preview', title: 'Learning rate preview', series: [], emptyText: `fix ${fieldsWithErrors}` }) as unknown as HTMLElement;
    caption = 'The preview needs valid hyperparameters.';
  } else {
    try {
      const preview = lrPreview(request.args, rowsForPreview);
      const points: Point[] = preview.rates.map((rate, step) => [step, rate]);
      chart = lineChart(doc, {
        id: 'lr-preview', title: `Learning rate (${request.args.lr_scheduler_type})`, yFromZero: true,
        series: [{ name: 'learning_rate', className: 'series-lr', points: decimate(points) }],
        markers: preview.warmupSteps > 0 ? [preview.warmupSteps] : [],
      }) as unknown as HTMLElement;
      caption = `${preview.totalSteps} optimizer steps${known > 0 ? '' : ' for 100 examples (no data yet)'} · warmup ${preview.warmupSteps} · peak ${request.args.learning_rate}` +
        (known > 0 ? ` · ≈ from ${known} training examples (long ones become several windows)` : '');
    } catch (error) {
      chart = lineChart(doc, { id: 'lr-preview', title: 'Learning rate preview', series: [], emptyText: 'no preview' }) as unknown as HTMLElement;
      caption = (error as Error).message;
    }
  }
  previewSlot.replaceChildren(chart);
  previewCaption.textContent = caption;
}

function renderPanel(): void {
  noticesSlot.replaceChildren(renderNotices(doc, panel?.notices ?? []) as unknown as HTMLElement);
  datasetSlot.replaceChildren(renderDataset(doc, panel?.dataset ?? null,
    fields.dataSource === 'file' ? 'Choose a data file to see its examples.' : 'Reading the annotations…') as unknown as HTMLElement);
  const models = panel?.models ?? [];
  checkpointSelect.replaceChildren(
    ...(models.length === 0 ? [el('vscode-option', { value: '' }, 'No checkpoints yet: train a model first')] : []),
    ...models.map((m) => el('vscode-option', { value: m.path, description: m.path }, m.label)));
  if (fields.baseModelKind === 'checkpoint') {
    if (!models.some((m) => m.path === fields.baseModel) && models[0]) fields = { ...fields, baseModel: models[0].path };
    checkpointSelect.value = fields.baseModel;
  }
  nerModelCaption.textContent = `Recognize Entities uses: ${panel?.nerModel ?? '…'}`;
  runsSlot.replaceChildren(renderRuns(doc, panel?.runs ?? [], { nerActions: true }) as unknown as HTMLElement);
  renderForm();
}

const ACTIVE = new Set(['starting', 'running', 'paused', 'cancelling']);

function renderJob(): void {
  const active = ACTIVE.has(job.status);
  buttons.start.disabled = active;
  buttons.pause.disabled = job.status !== 'running';
  buttons.resume.disabled = job.status !== 'paused';
  buttons.cancel.disabled = !active || job.status === 'cancelling';
  progressLine.textContent = progressText(job);
  progressLine.setAttribute('data-status', job.status);
  progressBar.hidden = job.status === 'idle';
  progressBar.max = 100;
  if (job.totalSteps > 0) {
    progressBar.indeterminate = false;
    progressBar.value = (100 * job.step) / job.totalSteps;
  } else {
    progressBar.indeterminate = active;
  }
  errorLine.textContent = job.error ?? '';
  const loss: Point[] = job.log.map((p) => [p.step, p.loss]);
  const rate: Point[] = job.log.map((p) => [p.step, p.learning_rate]);
  const score: Point[] = job.evals.map((e) => [e.step, e.score]);
  chartsSlot.replaceChildren(
    lineChart(doc, { id: 'loss', title: 'Training loss', series: [{ name: 'loss', className: 'series-loss', points: decimate(loss) }], emptyText: 'starts with the first step' }) as unknown as HTMLElement,
    lineChart(doc, { id: 'learning-rate', title: 'Learning rate', yFromZero: true, series: [{ name: 'learning_rate', className: 'series-lr', points: decimate(rate) }], emptyText: 'starts with the first step' }) as unknown as HTMLElement,
    lineChart(doc, { id: 'dev-score', title: `Dev ${job.scoreName}`, yFromZero: true, series: [{ name: job.scoreName, className: 'series-score', points: score }], emptyText: 'after the first evaluation' }) as unknown as HTMLElement,
  );
  const last = job.evals[job.evals.length - 1];
  metricsSlot.replaceChildren(renderMetricsTable(doc, last) as unknown as HTMLElement);
  confusionSlot.replaceChildren(renderConfusionMatrix(doc, last?.confusion ?? null, last?.step) as unknown as HTMLElement);
  overfittingSlot.replaceChildren(renderOverfitting(doc, job.overfitting) as unknown as HTMLElement);
  diskLine.textContent = job.diskBytes === null ? '' : `The run takes ${formatBytes(job.diskBytes)} on disk.`;
  checkpointsSlot.replaceChildren(renderCheckpoints(doc, job.checkpoints, { nerActions: job.task !== 'classify', best: job.best, loadBestAtEnd: job.loadBestAtEnd }) as unknown as HTMLElement);
  messagesSlot.replaceChildren(renderMessages(doc, job.messages) as unknown as HTMLElement);
  if (job.status === 'running' && job.etaSeconds !== null) progressLine.title = `elapsed ${formatDuration(job.elapsedSeconds)}`;
}

// ---------------------------------------------------------------------------------------------
// Events

let changeTimer: ReturnType<typeof setTimeout> | undefined;

function edited(): void {
  ownFields = true;
  vscode.setState({ fields });
  renderForm();
  if (changeTimer) clearTimeout(changeTimer);
  changeTimer = setTimeout(() => post({ type: 'fieldsChanged', fields }), 250);
}

function onClick(event: Event): void {
  const target = (event.target as HTMLElement | null)?.closest('[data-action]') as HTMLElement | null;
  if (!target || (target as HTMLElement & { disabled?: boolean }).disabled) return;
  const action = target.getAttribute('data-action');
  switch (action) {
    case 'start': {
      const { request, errors } = parseForm(fields);
      if (!request) {
        renderForm();
        const first = Object.keys(errors)[0] as FormField | undefined;
        if (first) inputs.get(first)?.focus();
        return;
      }
      if (changeTimer) clearTimeout(changeTimer);
      post({ type: 'start', fields });
      return;
    }
    case 'pause':
    case 'resume':
    case 'cancel':
      post({ type: action });
      return;
    case 'refresh':
      post({ type: 'refreshDataset' });
      return;
    case 'pick': {
      const field = target.getAttribute('data-pick');
      if (field === 'baseModel' || field === 'dataFile' || field === 'devPath') post({ type: 'pick', field });
      return;
    }
    case 'useForNer':
    case 'export':
    case 'useRunForNer':
    case 'deleteRun': {
      const path = target.getAttribute('data-path');
      if (path) post({ type: action, path });
      return;
    }
    case 'openPanel':
      post({ type: 'openPanel' });
      return;
  }
}

window.addEventListener('message', (event: MessageEvent) => {
  let message;
  try {
    message = parseHostMessage(event.data);
  } catch (error) {
    report(`ignored a message from the host: ${error instanceof MessageError ? error.message : String(error)}`);
    return;
  }
  if (statusRoot) {
    // The compact status draws the job only.
    if (message.type === 'job') statusRoot.replaceChildren(renderStatus(doc, message.job) as unknown as HTMLElement);
    return;
  }
  switch (message.type) {
    case 'state':
      panel = message.state;
      if (!ownFields && message.state.fields) {
        fields = message.state.fields;
        ownFields = true;
        vscode.setState({ fields });
        applyFields();
      }
      renderPanel();
      // Ready once the host's state is shown: a reopened panel's first frame has the default fields.
      root?.setAttribute('data-state', 'ready');
      return;
    case 'job':
      job = message.job;
      renderJob();
      return;
    case 'picked':
      fields = { ...fields, [message.field]: message.path };
      applyFields();
      edited();
      return;
  }
});

const root = document.getElementById('app');
/** The sidebar's compact status page (main#status) instead of the whole panel. */
const statusRoot = root ? null : document.getElementById('status');
if (statusRoot) {
  statusRoot.replaceChildren(renderStatus(doc, job) as unknown as HTMLElement);
  statusRoot.addEventListener('click', onClick);
  statusRoot.setAttribute('data-state', 'ready');
  post({ type: 'ready' });
} else if (root) {
  build(root);
  applyFields();
  renderPanel();
  renderJob();
  post({ type: 'ready' });
}
