import type { JobProgress } from '../../worker/jobKinds';

export interface ProgressStep {
  message: string;
  /** Percent to add to the bar (vscode.Progress takes increments, not totals). */
  increment: number;
}

function percent(loaded: number, total: number | undefined): string {
  return total ? ` ${Math.min(100, Math.round((100 * loaded) / total))}%` : '';
}

/**
 * Turns the recognition job's progress events into the increments and messages of a VS Code progress
 * notification. The bar measures inference only (downloads show their own percentage in the
 * message), so it ends at exactly 100 when the job reports fraction 1.
 */
export class ProgressSteps {
  private shown = 0;

  get percentShown(): number {
    return this.shown;
  }

  next(progress: JobProgress<'recognizeEntities'>): ProgressStep {
    switch (progress.phase) {
      case 'download':
        return { message: `downloading ${progress.file}${percent(progress.loaded, progress.total)}`, increment: 0 };
      case 'loading':
        return { message: 'loading the model…', increment: 0 };
      case 'inference': {
        const target = Math.min(100, Math.max(this.shown, progress.fraction * 100));
        const increment = target - this.shown;
        this.shown = target;
        return { message: `${Math.floor(target)}%`, increment };
      }
    }
  }
}
