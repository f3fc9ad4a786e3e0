/**
 * Watches the dev score after each evaluation and warns when it fell several evaluations in a row:
 * training goes on making the model worse on held-out data (overfitting, or a learning rate too high).
 */
export class FallingScoreDetector {
  /** How every warning of this detector begins; the panel recognises the trainer's message by it (isFallingScoreWarning). */
  static readonly PREFIX = 'warning: dev ';

  private readonly history: number[] = [];
  private warnedAt = -1;

  /** @param patience how many consecutive drops make a warning */
  constructor(private readonly patience = 3, private readonly greaterIsBetter = true) {
    if (!Number.isInteger(patience) || patience < 1) throw new Error(`patience must be a positive integer, got ${patience}`);
  }

  /** Records one evaluation's score; returns the warning once per falling streak of `patience` drops. */
  add(score: number, metric: string): string | undefined {
    this.history.push(score);
    let drops = 0;
    for (let i = this.history.length - 1; i > 0; i--) {
      const [before, after] = [this.history[i - 1]!, this.history[i]!];
      if (!(this.greaterIsBetter ? after < before : after > before)) break;
      drops++;
    }
    if (drops < this.patience) return undefined;
    const streakStart = this.history.length - 1 - drops;
    if (this.warnedAt === streakStart) return undefined;
    this.warnedAt = streakStart;
    const path = this.history.slice(streakStart).map((v) => formatScore(v)).join(' → ');
    return `${FallingScoreDetector.PREFIX}${metric} got worse ${drops} evaluations in a row (${path}): the model may be overfitting, or the learning rate is too high`;
  }
}

function formatScore(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}

/** True for a message FallingScoreDetector.add returned (it reaches the editor as a trainer info line). */
export function isFallingScoreWarning(message: string): boolean {
  return message.startsWith(FallingScoreDetector.PREFIX) && / got worse \d+ evaluations in a row /.test(message);
}
