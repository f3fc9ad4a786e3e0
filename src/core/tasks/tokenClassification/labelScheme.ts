/**
 * Per-label facts that HF recomputes from strings for every token; here they are computed once per
 * label so that grouping compares integers.
 */
export interface LabelScheme {
  labels: readonly string[];
  /** HF `get_tag`: true for "B-" labels (anything else counts as "I", i.e. a continuation). */
  isBegin: Uint8Array;
  /** HF `get_tag`'s tag, interned: equal ids ⇔ equal tags ("B-PER"/"I-PER" → "PER", "O" → "O"). */
  tagId: Int32Array;
  /** HF `group_sub_entities`: `label.split("-", 1)[-1]`, the `entity_group` of a group starting with it. */
  groupName: readonly string[];
}

export function labelScheme(labels: readonly string[]): LabelScheme {
  const isBegin = new Uint8Array(labels.length);
  const tagId = new Int32Array(labels.length);
  const tags = new Map<string, number>();
  const groupName: string[] = [];
  labels.forEach((label, i) => {
    const prefixed = label.startsWith('B-') || label.startsWith('I-');
    isBegin[i] = label.startsWith('B-') ? 1 : 0;
    const tag = prefixed ? label.slice(2) : label;
    let id = tags.get(tag);
    if (id === undefined) {
      id = tags.size;
      tags.set(tag, id);
    }
    tagId[i] = id;
    const dash = label.indexOf('-');
    groupName.push(dash < 0 ? label : label.slice(dash + 1));
  });
  return { labels, isBegin, tagId, groupName };
}
