import { asObject, optionalBoolean } from '../tokenizerFiles';

/** A special token's string: special_tokens_map.json over tokenizer_config.json (string or {"content": ...}). */
export function configuredToken(key: string, config: Record<string, unknown>, specialMap: Record<string, unknown>, source: string): string | undefined {
  for (const object of [specialMap, config]) {
    const value = object[key];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
    throw new Error(`${source}: ${key} must be a string or {"content": ...}`);
  }
  return undefined;
}

/** A tokenizer.json `added_tokens` entry. */
export interface AddedTokenJson {
  id: number;
  content: string;
  single_word: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

/** tokenizer_config.json `added_tokens_decoder` (id → AddedToken fields), as transformers writes it. */
export function addedTokensOfConfig(config: Record<string, unknown>, source: string): AddedTokenJson[] {
  const decoder = config.added_tokens_decoder;
  if (decoder === undefined || decoder === null) return [];
  const entries = asObject(decoder, `${source}: added_tokens_decoder`);
  return Object.entries(entries).map(([key, value]) => {
    const where = `${source}: added_tokens_decoder["${key}"]`;
    const entry = asObject(value, where);
    const id = Number(key);
    if (!Number.isInteger(id) || id < 0) throw new Error(`${where}: the key must be a token id`);
    if (typeof entry.content !== 'string' || entry.content === '') throw new Error(`${where}.content must be a non-empty string`);
    const special = optionalBoolean(entry, 'special', where) ?? false;
    return {
      id,
      content: entry.content,
      single_word: optionalBoolean(entry, 'single_word', where) ?? false,
      lstrip: optionalBoolean(entry, 'lstrip', where) ?? false,
      rstrip: optionalBoolean(entry, 'rstrip', where) ?? false,
      normalized: optionalBoolean(entry, 'normalized', where) ?? !special,
      special,
    };
  });
}

/** Calls `visit` on a component and, for a Sequence, on each of its parts. */
function eachPart(component: unknown, listKey: string, visit: (part: Record<string, unknown>) => void): void {
  if (typeof component !== 'object' || component === null) return;
  const part = component as Record<string, unknown>;
  if (part.type === 'Sequence' && Array.isArray(part[listKey])) {
    for (const inner of part[listKey] as unknown[]) eachPart(inner, listKey, visit);
    return;
  }
  visit(part);
}

/**
 * What transformers' `*TokenizerFast.__init__` changes in a tokenizer.json from tokenizer_config.json:
 * `add_prefix_space` (ByteLevel pre-tokenizer and RoBERTa post-processor; Metaspace's prepend scheme),
 * `trim_offsets`, BertNormalizer's `do_lower_case` / `strip_accents` / `tokenize_chinese_chars`, and
 * `added_tokens_decoder` entries the file lacks. Returns the tokenizer.json to load.
 */
export function withConfigOverrides(root: Record<string, unknown>, config: Record<string, unknown>, source: string): Record<string, unknown> {
  const out = structuredClone(root);
  const addPrefixSpace = optionalBoolean(config, 'add_prefix_space', source);
  const trimOffsets = optionalBoolean(config, 'trim_offsets', source);
  if (addPrefixSpace !== undefined) {
    eachPart(out.pre_tokenizer, 'pretokenizers', (part) => {
      if (part.type === 'ByteLevel') part.add_prefix_space = addPrefixSpace;
      if (part.type === 'Metaspace' && addPrefixSpace === false) part.prepend_scheme = 'never';
    });
  }
  eachPart(out.post_processor, 'processors', (part) => {
    if (part.type !== 'RobertaProcessing' && part.type !== 'ByteLevel') return;
    if (addPrefixSpace !== undefined && part.type === 'RobertaProcessing') part.add_prefix_space = addPrefixSpace;
    if (trimOffsets !== undefined) part.trim_offsets = trimOffsets;
  });
  eachPart(out.normalizer, 'normalizers', (part) => {
    if (part.type !== 'BertNormalizer') return;
    const lowercase = optionalBoolean(config, 'do_lower_case', source);
    const chinese = optionalBoolean(config, 'tokenize_chinese_chars', source);
    if (lowercase !== undefined) part.lowercase = lowercase;
    if (chinese !== undefined) part.handle_chinese_chars = chinese;
    if ('strip_accents' in config) {
      const strip = config.strip_accents;
      if (strip !== null && typeof strip !== 'boolean') throw new Error(`${source}: strip_accents must be true, false or null`);
      part.strip_accents = strip;
    }
  });
  const added = Array.isArray(out.added_tokens) ? (out.added_tokens as AddedTokenJson[]) : [];
  const known = new Set(added.map((token) => token.id));
  for (const token of addedTokensOfConfig(config, source)) {
    if (!known.has(token.id)) added.push(token);
  }
  out.added_tokens = added.sort((a, b) => a.id - b.id);
  return out;
}
