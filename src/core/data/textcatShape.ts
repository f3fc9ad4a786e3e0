import { categoryProblem, type CategoryScope, type TextCategories } from './annotation';
import { isPlainObject } from './jsonLines';

/**
 * Prodigy's textcat task fields, shared by the store (`annotations.jsonl`) and the Prodigy textcat
 * format: a binary decision on one label is `{"label": L, "answer": "accept"|"reject"}`; a choice is
 * `{"options": [{"id": L, "text": L}], "accept": [L...], "config": {"choice_style": "single"|"multiple"}}`.
 */

/** Whether an object carries textcat fields at all (a span-only task has none of them). */
export function hasTextcatFields(value: Record<string, unknown>): boolean {
  return value.options !== undefined || value.accept !== undefined || value.label !== undefined;
}

/** Removes the textcat fields of a decision that was read from `extras` (they are written from the model). */
export function withoutTextcatFields(extras: Record<string, unknown>): Record<string, unknown> {
  const { label: _label, answer: _answer, options: _options, accept: _accept, config, ...rest } = extras;
  if (isPlainObject(config)) {
    const { choice_style: _style, ...otherConfig } = config;
    if (Object.keys(otherConfig).length > 0) rest.config = otherConfig;
  } else if (config !== undefined) rest.config = config;
  return rest;
}

function optionLabel(option: unknown): string | undefined {
  const id = isPlainObject(option) ? option.id : option;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isInteger(id)) return String(id);
  return undefined;
}

/**
 * Reads the textcat fields of `value` as a decision over [start, end) of `text`. A string is the
 * problem that made them unusable; undefined means the task carries no textcat decision (a binary
 * task answered "ignore").
 */
export function readTextcatFields(
  value: Record<string, unknown>,
  text: string,
  range: { start: number; end: number; scope: CategoryScope },
): TextCategories | string | undefined {
  let categories: TextCategories;
  if (value.options !== undefined || value.accept !== undefined) {
    if (!Array.isArray(value.options)) return '"options" must be a list of {"id", "text"}';
    const options: string[] = [];
    for (const [index, option] of value.options.entries()) {
      const label = optionLabel(option);
      if (label === undefined) return `options[${index}] has no string or integer "id"`;
      options.push(label);
    }
    const rawAccept = value.accept ?? [];
    if (!Array.isArray(rawAccept)) return '"accept" must be a list of option ids';
    const accept: string[] = [];
    for (const [index, id] of rawAccept.entries()) {
      const label = optionLabel(id);
      if (label === undefined) return `accept[${index}] is not a string or integer id`;
      accept.push(label);
    }
    const style = isPlainObject(value.config) ? value.config.choice_style : undefined;
    if (style !== undefined && style !== 'single' && style !== 'multiple') return `config.choice_style must be "single" or "multiple", got ${JSON.stringify(style)}`;
    // Prodigy's default style is single; an old task with several accepted and no config was multiple.
    categories = { ...range, options, accept, multiLabel: style === 'multiple' || (style === undefined && accept.length > 1) };
  } else {
    if (typeof value.label !== 'string') return '"label" must be a string';
    const answer = value.answer ?? 'accept';
    if (answer === 'ignore') return undefined;
    if (answer !== 'accept' && answer !== 'reject') return `unknown answer ${JSON.stringify(answer)} (expected accept, reject or ignore)`;
    categories = { ...range, options: [value.label], accept: answer === 'accept' ? [value.label] : [], multiLabel: false };
  }
  return categoryProblem(text, categories) ?? categories;
}

/** True for a decision Prodigy writes as `{"label", "answer"}`. */
export function isBinaryDecision(categories: TextCategories): boolean {
  return !categories.multiLabel && categories.options.length === 1;
}

/** The textcat fields of a decision (without the range), in Prodigy's shape. */
export function textcatFields(categories: TextCategories): Record<string, unknown> {
  if (isBinaryDecision(categories)) {
    const label = categories.options[0]!;
    return { label, answer: categories.accept.includes(label) ? 'accept' : 'reject' };
  }
  return {
    options: categories.options.map((label) => ({ id: label, text: label })),
    accept: [...categories.accept],
    config: { choice_style: categories.multiLabel ? 'multiple' : 'single' },
  };
}
