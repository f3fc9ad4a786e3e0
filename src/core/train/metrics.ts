/** Evaluation metrics with the definitions users compare against: seqeval (strict IOB2), sklearn, SQuAD. */

export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  /** Number of gold entities / examples of this label. */
  support: number;
}

export interface NerMetrics {
  precision: number;
  recall: number;
  f1: number;
  perLabel: Record<string, LabelScores>;
}

interface Chunk {
  type: string;
  start: number;
  end: number;
}

/**
 * Entities of one IOB2 sequence as seqeval's strict mode reads them: B-X opens an entity of type X,
 * following I-X extend it, anything else closes it; an I-X that does not continue an X entity is no
 * entity at all.
 */
export function strictIob2Chunks(tags: readonly string[]): Chunk[] {
  const chunks: Chunk[] = [];
  let open: Chunk | null = null;
  const close = (end: number) => {
    if (open) chunks.push({ ...open, end });
    open = null;
  };
  tags.forEach((tag, i) => {
    const prefix = tag.slice(0, 2);
    const type = tag.slice(2);
    if (prefix === 'I-' && open && (open as Chunk).type === type) return;
    close(i);
    if (prefix === 'B-') open = { type, start: i, end: i + 1 };
  });
  close(tags.length);
  return chunks;
}

export function scores(truePositives: number, predicted: number, gold: number): Omit<LabelScores, 'support'> {
  const precision = predicted > 0 ? truePositives / predicted : 0;
  const recall = gold > 0 ? truePositives / gold : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** Micro-averaged and per-label entity precision/recall/F1 (seqeval classification_report, strict IOB2). */
export function nerMetrics(gold: ReadonlyArray<readonly string[]>, predicted: ReadonlyArray<readonly string[]>): NerMetrics {
  if (gold.length !== predicted.length) throw new Error(`${gold.length} gold sequences but ${predicted.length} predicted`);
  const counts = new Map<string, { tp: number; pred: number; gold: number }>();
  const bucket = (type: string) => {
    let c = counts.get(type);
    if (!c) counts.set(type, (c = { tp: 0, pred: 0, gold: 0 }));
    return c;
  };
  gold.forEach((goldTags, s) => {
    const predTags = predicted[s]!;
    if (predTags.length !== goldTags.length) throw new Error(`sequence ${s}: ${goldTags.length} gold tags, ${predTags.length} predicted`);
    const goldChunks = strictIob2Chunks(goldTags);
    const predChunks = strictIob2Chunks(predTags);
    const key = (c: Chunk) => `${c.type}:${c.start}:${c.end}`;
    const goldKeys = new Set(goldChunks.map(key));
    for (const c of goldChunks) bucket(c.type).gold++;
    for (const c of predChunks) {
      bucket(c.type).pred++;
      if (goldKeys.has(key(c))) bucket(c.type).tp++;
    }
  });
  const perLabel: Record<string, LabelScores> = {};
  let tp = 0;
  let pred = 0;
  let goldCount = 0;
  for (const [type, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    perLabel[type] = { ...scores(c.tp, c.pred, c.gold), support: c.gold };
    tp += c.tp;
    pred += c.pred;
    goldCount += c.gold;
  }
  return { ...scores(tp, pred, goldCount), perLabel };
}

export interface ClassificationMetrics {
  accuracy: number;
  /** Unweighted mean of the per-label F1 (sklearn average="macro"). */
  macroF1: number;
  perLabel: Record<string, LabelScores>;
}

export function classificationMetrics(gold: readonly number[], predicted: readonly number[], labels: readonly string[]): ClassificationMetrics {
  let correct = 0;
  const perLabel: Record<string, LabelScores> = {};
  labels.forEach((label, id) => {
    let tp = 0;
    let predCount = 0;
    let goldCount = 0;
    gold.forEach((g, i) => {
      if (g === id) goldCount++;
      if (predicted[i] === id) predCount++;
      if (g === id && predicted[i] === id) tp++;
    });
    perLabel[label] = { ...scores(tp, predCount, goldCount), support: goldCount };
  });
  gold.forEach((g, i) => {
    if (predicted[i] === g) correct++;
  });
  const f1s = Object.values(perLabel).map((s) => s.f1);
  return { accuracy: gold.length ? correct / gold.length : 0, macroF1: f1s.length ? f1s.reduce((a, b) => a + b, 0) / f1s.length : 0, perLabel };
}

/** SQuAD's normalize_answer: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, '')
    .replace(/\b(a|an|the)\b/g, ' ')
    .split(/\s+/)
    .filter((t) => t !== '')
    .join(' ');
}

/** SQuAD v1 exact match and token F1 of one prediction against its best gold answer. */
export function squadScores(prediction: string, answers: readonly string[]): { exactMatch: number; f1: number } {
  const pred = normalizeAnswer(prediction);
  let exactMatch = 0;
  let f1 = 0;
  for (const answer of answers.length ? answers : ['']) {
    const gold = normalizeAnswer(answer);
    if (pred === gold) exactMatch = 1;
    const predTokens = pred.split(' ').filter(Boolean);
    const goldTokens = gold.split(' ').filter(Boolean);
    if (predTokens.length === 0 || goldTokens.length === 0) {
      f1 = Math.max(f1, predTokens.length === goldTokens.length ? 1 : 0);
      continue;
    }
    const counts = new Map<string, number>();
    for (const t of goldTokens) counts.set(t, (counts.get(t) ?? 0) + 1);
    let common = 0;
    for (const t of predTokens) {
      const c = counts.get(t) ?? 0;
      if (c > 0) {
        common++;
        counts.set(t, c - 1);
      }
    }
    if (common > 0) {
      const precision = common / predTokens.length;
      const recall = common / goldTokens.length;
      f1 = Math.max(f1, (2 * precision * recall) / (precision + recall));
    }
  }
  return { exactMatch, f1 };
}
