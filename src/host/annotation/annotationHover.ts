import * as vscode from 'vscode';
import type { EntityStore } from '../ner/entityStore';
import { entityType } from '../ner/labelColors';
import type { AnnotationModel } from './annotationModel';
import { acceptPredictionMarkdown, annotationHoverMarkdown, HOVER_COMMANDS, HOVER_ENABLED_COMMANDS } from './hoverContent';

function trustedForOurCommands(value: string): vscode.MarkdownString {
  const markdown = new vscode.MarkdownString(value);
  // Links may run only these commands; everything user-written in `value` is escaped anyway.
  markdown.isTrusted = { enabledCommands: HOVER_ENABLED_COMMANDS };
  markdown.supportHtml = false;
  markdown.supportThemeIcons = false;
  return markdown;
}

/**
 * Hover over an annotation: its label and text, with Change Label / Remove Label links. Hover over a
 * prediction that is not an annotation yet: an "Accept as annotation" link (the NER hover above it
 * shows the prediction itself; VS Code shows both).
 */
export function registerAnnotationHover(model: AnnotationModel, entities: EntityStore): vscode.Disposable {
  return vscode.languages.registerHoverProvider('*', {
    provideHover(document, position) {
      const key = document.uri.toString();
      const offset = document.offsetAt(position);
      const annotations = model.get(key);
      const contents: vscode.MarkdownString[] = [];
      let range: vscode.Range | undefined;
      const spans = annotations?.at(offset) ?? [];
      if (spans.length > 0) {
        contents.push(trustedForOurCommands(annotationHoverMarkdown(key, spans)));
        range = new vscode.Range(document.positionAt(spans[0]!.start), document.positionAt(spans[0]!.end));
      }
      const entity = annotations ? entities.entityAt(key, offset) : undefined;
      const label = entity && entityType(entity.label);
      if (entity && label !== 'O' && !spans.some((span) => span.start === entity.start && span.end === entity.end && span.label === label)) {
        contents.push(trustedForOurCommands(acceptPredictionMarkdown(key, entity.id, entity.label)));
        range ??= new vscode.Range(document.positionAt(entity.start), document.positionAt(entity.end));
      }
      return contents.length > 0 ? new vscode.Hover(contents, range) : undefined;
    },
  });
}

/**
 * Quick fixes on a predicted entity: accept it (or every prediction the selection covers) as an
 * annotation. Offered only in documents that can hold annotations.
 */
export function registerAcceptCodeActions(model: AnnotationModel, entities: EntityStore): vscode.Disposable {
  const kind = vscode.CodeActionKind.QuickFix;
  return vscode.languages.registerCodeActionsProvider(
    '*',
    {
      provideCodeActions(document, range) {
        const key = document.uri.toString();
        const annotations = model.get(key);
        const predicted = entities.get(key)?.entities;
        if (!annotations || !predicted || predicted.length === 0) return [];
        const start = document.offsetAt(range.start);
        const end = document.offsetAt(range.end);
        const hits = predicted.filter((entity) =>
          start === end ? entity.start <= start && start <= entity.end : entity.start < end && entity.end > start,
        );
        const open = hits.filter((entity) => {
          const label = entityType(entity.label);
          return label !== 'O' && !annotations.spans.some((span) => span.start === entity.start && span.end === entity.end && span.label === label);
        });
        return open.slice(0, 10).map((entity) => {
          const text = entity.text.length > 40 ? `${entity.text.slice(0, 39)}…` : entity.text;
          const action = new vscode.CodeAction(`Accept prediction as annotation: ${entityType(entity.label)} "${text.replace(/\s+/g, ' ')}"`, kind);
          action.command = { command: HOVER_COMMANDS.acceptPrediction, title: 'Accept Prediction', arguments: [key, entity.id] };
          return action;
        });
      },
    },
    { providedCodeActionKinds: [kind] },
  );
}
