/*
 * The panel's read-only parts as pure builders over DomLike (dataset summary, notices, the per-label
 * metrics table, checkpoints, trainer messages, progress text). Every label, path and message is
 * put in with textContent through h().
 */
import type { DatasetSummary } from '../src/core/finetune/types';
import { formatNumber } from './charts';
import { h, type DomLike, type ElementLike } from './dom';
import type { CheckpointView, EvalPoint, JobView, Notice } from './protocol';

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

/** Checkpoints with their actions; the buttons carry data-action / data-path for one delegated listener. */
export function renderCheckpoints(doc: DomLike, checkpoints: readonly CheckpointView[], options: { nerActions: boolean }): ElementLike {
  if (checkpoints.length === 0) return h(doc, 'div', { class: 'checkpoints checkpoints-empty' }, 'No checkpoints yet.');
  return h(doc, 'ul', { class: 'checkpoints' }, ...[...checkpoints].reverse().map((c) => h(doc, 'li', { class: 'checkpoint', 'data-step': c.step, 'data-final': c.final },
    h(doc, 'span', { class: 'checkpoint-name', title: c.path }, c.final ? `final model (step ${c.step})` : c.name),
    options.nerActions ? h(doc, 'vscode-button', { 'data-action': 'useForNer', 'data-path': c.path, secondary: true, title: 'Recognize Entities will use this model' }, 'Use for NER') : null,
    h(doc, 'vscode-button', { 'data-action': 'export', 'data-path': c.path, secondary: true, title: 'Copy the model folder (HF layout) to a folder you choose' }, 'Export…'))));
}

export function renderMessages(doc: DomLike, messages: readonly string[]): ElementLike {
  return h(doc, 'ul', { class: 'trainer-messages' }, ...messages.map((m) => h(doc, 'li', {}, m)));
}
