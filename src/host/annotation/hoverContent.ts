import { entityType } from '../ner/labelColors';
import { escapeMarkdown } from '../ner/hoverContent';
import type { TrackedSpan } from './trackedSpans';

/** Command ids the annotation hovers link to: the only commands their MarkdownString may run. */
export const HOVER_COMMANDS = {
  removeLabel: 'bertLens.removeLabel',
  changeLabel: 'bertLens.changeLabel',
  acceptPrediction: 'bertLens.acceptPrediction',
} as const;

export const HOVER_ENABLED_COMMANDS: readonly string[] = Object.values(HOVER_COMMANDS);

/** A `command:` link target; arguments travel as a URI-encoded JSON array, as VS Code expects. */
export function commandUri(command: string, args: readonly unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

const MAX_SHOWN_CHARS = 200;

function clip(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

/**
 * The hover of the annotations at a position: label and text of each, with Change Label and Remove
 * Label links. Label and text come from the user's files and are escaped, so no link, HTML or
 * command can be smuggled in; the links are built here from ids only.
 */
export function annotationHoverMarkdown(documentUri: string, spans: readonly TrackedSpan[]): string {
  const blocks = spans.map((span) => {
    const change = commandUri(HOVER_COMMANDS.changeLabel, [documentUri, span.id]);
    const remove = commandUri(HOVER_COMMANDS.removeLabel, [documentUri, span.id]);
    return [
      `**${escapeMarkdown(span.label)}** · annotation`,
      '',
      `Text: ${escapeMarkdown(clip(span.text))}`,
      '',
      `[Change Label…](${change} "Give this span another label") · [Remove Label](${remove} "Remove this annotation")`,
    ].join('\n');
  });
  return blocks.join('\n\n---\n\n');
}

/** The line added under a prediction's hover: accept it as an annotation (its label without B-/I-). */
export function acceptPredictionMarkdown(documentUri: string, entityId: number, label: string): string {
  const accept = commandUri(HOVER_COMMANDS.acceptPrediction, [documentUri, entityId]);
  return `[Accept as annotation](${accept} "Turn this prediction into an annotation") · ${escapeMarkdown(entityType(label))}`;
}
