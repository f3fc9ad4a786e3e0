/*
 * The panel's read-only parts as pure builders over DomLike (dataset summary, notices, the per-label
 * metrics table, checkpoints, trainer messages, progress text). Every label, path and message is
 * put in with textContent through h().
 */
import type { DatasetSummary } from '../src/core/finetune/types';
import { formatNumber } from './charts';
import { h, type DomLike, type ElementLike } from './dom';
import type { CheckpointView, ConfusionView, EvalPoint, JobView, Notice, RunView } from './protocol';

/** "74.2 MiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

const STATUS_TEXT: Record<JobView['status'], string> = {
  idle: 'Not started',
  starting: 'Starting…',
  running: 'Training',
  paused: 'Paused',
  cancelling: 'Cancelling…',
  done: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** "Training · step 12 / 40 · epoch 0.90 · ETA 1 min 05 s". */
export function progressText(job: JobView): string {
  const parts = [STATUS_TEXT[job.status]];
  if (job.totalSteps > 0) parts.push(`step ${job.step} / ${job.totalSteps}`, `epoch ${job.epoch.toFixed(2)}`);
  if (job.status === 'running' && job.etaSeconds !== null) parts.push(`ETA ${formatDuration(job.etaSeconds)}`);
  if (job.elapsedSeconds > 0 && (job.status === 'done' || job.status === 'cancelled' || job.status === 'failed')) parts.push(`took ${formatDuration(job.elapsedSeconds)}`);
  return parts.join(' · ');
}

export function renderNotices(doc: DomLike, notices: readonly Notice[]): ElementLike {
  return h(doc, 'ul', { class: 'notices', 'aria-live': 'polite' },
    ...notices.map((n) => h(doc, 'li', { class: `notice notice-${n.level}`, 'data-level': n.level }, n.text)));
}

export function renderDataset(doc: DomLike, summary: DatasetSummary | null, emptyText: string): ElementLike {
  if (!summary) return h(doc, 'div', { class: 'dataset dataset-empty' }, emptyText);
  const rowsName = summary.task === 'ner' ? 'sentences' : 'examples';
  const counts = summary.task === 'ner'
    ? `${summary.documents} document${summary.documents === 1 ? '' : 's'} · ${summary.examples} ${rowsName}`
    : `${summary.examples} ${rowsName}`;
  const table = summary.labelCounts.length === 0 ? null : h(doc, 'table', { class: 'label-counts' },
    h(doc, 'thead', {}, h(doc, 'tr', {}, h(doc, 'th', {}, 'Label'), h(doc, 'th', { class: 'num' }, summary.task === 'ner' ? 'Spans' : 'Examples'))),
    h(doc, 'tbody', {}, ...summary.labelCounts.map((c) => h(doc, 'tr', {}, h(doc, 'td', { class: 'label' }, c.label), h(doc, 'td', { class: 'num' }, c.count)))));
  return h(doc, 'div', { class: 'dataset', 'data-examples': summary.examples },
    h(doc, 'div', { class: 'dataset-source' }, summary.source),
    h(doc, 'div', { class: 'dataset-counts' }, counts),
    h(doc, 'div', { class: 'dataset-split' }, `train ${summary.train} · dev ${summary.dev}`),
    table,
    renderNotices(doc, [
      ...summary.errors.map((text): Notice => ({ level: 'error', text })),
      ...summary.warnings.map((text): Notice => ({ level: 'warning', text })),
    ]));
}

function percent(value: number): string {
  return (value * 100).toFixed(1);
}

/** Per-label precision / recall / F1 of one evaluation, then its overall metrics. */
export function renderMetricsTable(doc: DomLike, evaluation: EvalPoint | undefined): ElementLike {
  if (!evaluation) return h(doc, 'div', { class: 'metrics metrics-empty' }, 'Per-label scores appear after the first evaluation on the dev set.');
  const overall = evaluation.metrics.map((m) => `${m.name} ${m.name === 'eval_loss' || m.name === 'perplexity' ? formatNumber(m.value) : percent(m.value)}`).join(' · ');
  return h(doc, 'div', { class: 'metrics', 'data-step': evaluation.step },
    h(doc, 'div', { class: 'metrics-caption' }, `Dev set at step ${evaluation.step} (epoch ${evaluation.epoch.toFixed(2)}): ${overall}`),
    h(doc, 'table', { class: 'metrics-table' },
      h(doc, 'thead', {}, h(doc, 'tr', {}, ...['Label', 'Precision', 'Recall', 'F1', 'Support'].map((name, i) => h(doc, 'th', { class: i > 0 ? 'num' : undefined }, name)))),
      h(doc, 'tbody', {}, ...evaluation.perLabel.map((row) => h(doc, 'tr', {},
        h(doc, 'td', { class: 'label' }, row.label),
        h(doc, 'td', { class: 'num' }, percent(row.precision)),
        h(doc, 'td', { class: 'num' }, percent(row.recall)),
        h(doc, 'td', { class: 'num' }, percent(row.f1)),
        h(doc, 'td', { class: 'num' }, row.support))))));
}

/**
 * Checkpoints with their actions; the buttons carry data-action / data-path for one delegated listener.
 * The best checkpoint (metric_for_best_model) carries a "best" badge, and so does the final model when
 * load_best_model_at_end gave it the best checkpoint's weights.
 */
export function renderCheckpoints(doc: DomLike, checkpoints: readonly CheckpointView[], options: { nerActions: boolean; best?: JobView['best']; loadBestAtEnd?: boolean }): ElementLike {
  if (checkpoints.length === 0) return h(doc, 'div', { class: 'checkpoints checkpoints-empty' }, 'No checkpoints yet.');
  const best = options.best ?? null;
  const bestValue = best && best.value !== null ? ` (${best.metric} ${formatNumber(best.value)})` : '';
  const isBest = (c: CheckpointView): boolean => best !== null && (c.path === best.path || (c.final && options.loadBestAtEnd === true));
  return h(doc, 'ul', { class: 'checkpoints' }, ...[...checkpoints].reverse().map((c) => h(doc, 'li', { class: isBest(c) ? 'checkpoint checkpoint-best' : 'checkpoint', 'data-step': c.step, 'data-final': c.final, 'data-best': isBest(c) },
    h(doc, 'span', { class: 'checkpoint-name', title: c.path }, c.final ? `final model (step ${c.step})` : c.name),
    isBest(c) ? h(doc, 'span', { class: 'badge best-badge', title: c.final ? `the best checkpoint's weights (load_best_model_at_end)${bestValue}` : `the best checkpoint so far${bestValue}` }, 'best') : null,
    options.nerActions ? h(doc, 'vscode-button', { 'data-action': 'useForNer', 'data-path': c.path, secondary: true, title: 'Recognize Entities will use this model' }, 'Use for NER') : null,
    h(doc, 'vscode-button', { 'data-action': 'export', 'data-path': c.path, secondary: true, title: 'Copy the model folder (HF layout) to a folder you choose' }, 'Export…'))));
}

export function renderMessages(doc: DomLike, messages: readonly string[]): ElementLike {
  return h(doc, 'ul', { class: 'trainer-messages' }, ...messages.map((m) => h(doc, 'li', {}, m)));
}

/** Where a count sits in its gold row (share of the row), in five steps: the cell's class, so the CSS tints it with theme colours. */
export function confusionLevel(count: number, rowTotal: number): number {
  if (count <= 0 || rowTotal <= 0) return 0;
  return Math.min(4, Math.ceil((4 * count) / rowTotal));
}

/**
 * The confusion matrix of an evaluation: gold labels down, predicted labels across, counts in the
 * cells (each tinted by its share of the row; the diagonal and the rest in two colours). Labels are
 * header cells' text, never markup.
 */
export function renderConfusionMatrix(doc: DomLike, confusion: ConfusionView | null, step?: number): ElementLike {
  if (!confusion || confusion.labels.length === 0) return h(doc, 'div', { class: 'confusion confusion-empty' }, 'The confusion matrix appears after the first evaluation on the dev set.');
  const totals = confusion.counts.map((row) => row.reduce((a, c) => a + c, 0));
  return h(doc, 'div', { class: 'confusion', 'data-labels': confusion.labels.length },
    h(doc, 'div', { class: 'confusion-caption' }, `Confusion matrix${step === undefined ? '' : ` at step ${step}`}: gold label (rows) × predicted label (columns), counts`),
    h(doc, 'table', { class: 'confusion-table' },
      h(doc, 'thead', {}, h(doc, 'tr', {},
        h(doc, 'th', { class: 'confusion-corner' }, 'gold \\ predicted'),
        ...confusion.labels.map((label) => h(doc, 'th', { class: 'confusion-predicted', title: `predicted ${label}` }, label)))),
      h(doc, 'tbody', {}, ...confusion.labels.map((gold, i) => h(doc, 'tr', {},
        h(doc, 'th', { class: 'confusion-gold', title: `gold ${gold}` }, gold),
        ...confusion.counts[i]!.map((n, j) => h(doc, 'td', {
          class: `num cm-cell ${i === j ? 'cm-diagonal' : 'cm-off'} cm-level-${confusionLevel(n, totals[i]!)}`,
          title: `gold ${gold}, predicted ${confusion.labels[j]!}: ${n}`,
        }, n)))))));
}

/** The warning that dev scores kept falling (empty when there is none). */
export function renderOverfitting(doc: DomLike, warning: string | null): ElementLike {
  if (!warning) return h(doc, 'div', { class: 'overfitting overfitting-none' });
  return h(doc, 'div', { class: 'overfitting notice notice-warning', role: 'alert', 'data-warning': 'overfitting' }, warning);
}

/** The runs on disk with their disk use, best checkpoint and actions (Use for NER takes the run's best model; Delete run asks first). */
export function renderRuns(doc: DomLike, runs: readonly RunView[], options: { nerActions: boolean }): ElementLike {
  if (runs.length === 0) return h(doc, 'div', { class: 'runs runs-empty' }, 'No runs on disk yet.');
  const total = runs.reduce((a, r) => a + r.diskBytes, 0);
  return h(doc, 'div', { class: 'runs' },
    h(doc, 'div', { class: 'runs-caption' }, `${runs.length} run${runs.length === 1 ? '' : 's'} on disk · ${formatBytes(total)}`),
    h(doc, 'ul', { class: 'run-list' }, ...runs.map((run) => {
      const best = run.bestCheckpoint === null ? null : run.bestCheckpoint.split(/[\\/]/).pop() ?? null;
      const details = [
        formatBytes(run.diskBytes),
        `${run.checkpoints.length} checkpoint${run.checkpoints.length === 1 ? '' : 's'}`,
        best ? `best ${best}` : null,
        run.training ? 'training now' : null,
      ].filter((d): d is string => d !== null).join(' · ');
      return h(doc, 'li', { class: 'run', 'data-run': run.name, 'data-disk-bytes': run.diskBytes, 'data-best': best ?? '' },
        h(doc, 'span', { class: 'run-name', title: run.path }, run.name),
        h(doc, 'span', { class: 'run-details' }, details),
        options.nerActions && run.nerModel ? h(doc, 'vscode-button', { 'data-action': 'useRunForNer', 'data-path': run.path, secondary: true, title: `Recognize Entities will use ${run.nerModel}` }, 'Use for NER') : null,
        h(doc, 'vscode-button', {
          'data-action': 'deleteRun', 'data-path': run.path, secondary: true, disabled: run.training,
          title: run.training ? 'The job is writing this run: cancel it first' : 'Delete this run folder (asks first)',
        }, 'Delete run'));
    })));
}

/** The sidebar's compact status: the current run, its progress, the last evaluation, and the button that opens the panel. */
export function renderStatus(doc: DomLike, job: JobView): ElementLike {
  const last = job.evals[job.evals.length - 1];
  const run = job.outputDir ? job.outputDir.split(/[\\/]/).filter((p) => p !== '').pop() ?? job.outputDir : null;
  const best = job.best ? job.best.path.split(/[\\/]/).pop() ?? job.best.path : null;
  return h(doc, 'div', { class: 'status', 'data-status': job.status },
    h(doc, 'div', { class: 'status-run' }, run ? `Run ${run}` : 'No fine-tuning run in this session.'),
    h(doc, 'div', { class: 'progress-text', 'data-progress': '' }, progressText(job)),
    last ? h(doc, 'div', { class: 'status-metrics' }, `Dev at step ${last.step}: ${last.metrics.map((m) => `${m.name} ${m.name === 'eval_loss' || m.name === 'perplexity' ? formatNumber(m.value) : percent(m.value)}`).join(' · ')}`) : null,
    best ? h(doc, 'div', { class: 'status-best' }, `Best checkpoint: ${best}`) : null,
    job.diskBytes !== null ? h(doc, 'div', { class: 'status-disk' }, `On disk: ${formatBytes(job.diskBytes)}`) : null,
    job.overfitting ? h(doc, 'div', { class: 'notice notice-warning' }, job.overfitting) : null,
    h(doc, 'vscode-button', { 'data-action': 'openPanel' }, 'Open panel'));
}
