import * as vscode from 'vscode';
import type { EntityStore } from './entityStore';
import { entityHoverMarkdown } from './hoverContent';

/** Hover over a recognised entity: its label, score, text and model (untrusted markdown, escaped). */
export function registerEntityHover(store: EntityStore): vscode.Disposable {
  return vscode.languages.registerHoverProvider('*', {
    provideHover(document, position) {
      const key = document.uri.toString();
      const entry = store.get(key);
      if (!entry) return undefined;
      const entity = store.entityAt(key, document.offsetAt(position));
      if (!entity) return undefined;
      const markdown = new vscode.MarkdownString(entityHoverMarkdown(entity, entry.modelDescription));
      markdown.isTrusted = false;
      markdown.supportHtml = false;
      return new vscode.Hover(markdown, new vscode.Range(document.positionAt(entity.start), document.positionAt(entity.end)));
    },
  });
}
