import type { DocumentEntity } from './entities';

/** Characters with a meaning in CommonMark (and VS Code's markdown renderer), escaped with a backslash. */
const MARKDOWN_SPECIAL = /[\\`*_{}[\]()#+\-.!|<>~&$:"']/g;

/**
 * Text from the document or a model, made inert for a MarkdownString: no emphasis, links, HTML,
 * command URIs or theme-icon syntax ($(...)) survive, and line breaks become spaces.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(MARKDOWN_SPECIAL, (char) => `\\${char}`);
}

const MAX_SHOWN_CHARS = 200;

function clip(text: string): string {
  return text.length > MAX_SHOWN_CHARS ? `${text.slice(0, MAX_SHOWN_CHARS)}…` : text;
}

/**
 * The hover of one entity as markdown: label and score, the span's text, the model. Everything that
 * comes from the document or the model is escaped (the hover is an untrusted MarkdownString).
 */
export function entityHoverMarkdown(entity: DocumentEntity, modelDescription: string): string {
  const lines = [
    `**${escapeMarkdown(entity.label)}** · score ${entity.score.toFixed(3)}`,
    '',
    `Text: ${escapeMarkdown(clip(entity.text))}`,
  ];
  if (entity.word !== entity.text) lines.push('', `Tokens: ${escapeMarkdown(clip(entity.word))}`);
  lines.push('', `Model: ${escapeMarkdown(modelDescription)}`);
  return lines.join('\n');
}
