import * as vscode from 'vscode';
import type { TextRange } from './documentAnnotations';
import { isLocation, locateDocument, type DocumentLocation } from './workspacePath';

/** Where a document's annotations are stored, or why it has no place in a store. */
export function documentLocation(document: vscode.TextDocument): DocumentLocation | { reason: string } {
  if (document.isUntitled) return { reason: 'the document is not saved yet; save it inside a workspace folder first' };
  if (document.uri.scheme !== 'file') return { reason: `documents of scheme "${document.uri.scheme}" are not files in a workspace folder` };
  const folder = vscode.workspace.getWorkspaceFolder(document.uri);
  if (!folder || folder.uri.scheme !== 'file') return { reason: 'the file is not inside a workspace folder' };
  return locateDocument(folder.uri.fsPath, document.uri.fsPath);
}

export function canHoldAnnotations(document: vscode.TextDocument): boolean {
  return isLocation(documentLocation(document));
}

/**
 * The ranges to label from the editor's selections: each non-empty selection without the white
 * space at its edges (a double-click or a sloppy drag often takes a space), and for a bare cursor
 * the word under it. Overlapping selections are merged by the model's labelling.
 */
export function selectionRanges(editor: vscode.TextEditor): TextRange[] {
  const { document } = editor;
  const ranges: TextRange[] = [];
  for (const selection of editor.selections) {
    const range = selection.isEmpty ? document.getWordRangeAtPosition(selection.active) : selection;
    if (!range) continue;
    let start = document.offsetAt(range.start);
    const text = document.getText(range);
    const leading = text.length - text.trimStart().length;
    const trimmed = text.trim();
    if (trimmed === '') continue;
    start += leading;
    ranges.push({ start, end: start + trimmed.length, text: trimmed });
  }
  return ranges;
}

/** A span named by a command's arguments: (uri, id) from hover links and code actions, or a tree node. */
export function spanTarget(args: readonly unknown[]): { key: string; id: number } | undefined {
  const [first, second] = args;
  if (typeof first === 'string' && typeof second === 'number') return { key: first, id: second };
  if (typeof first === 'object' && first !== null) {
    const node = first as { kind?: unknown; span?: { id?: unknown }; entity?: { id?: unknown }; document?: { uri?: unknown } };
    const uri = node.document?.uri;
    const key = uri instanceof vscode.Uri ? uri.toString() : undefined;
    const id = node.kind === 'annotation' ? node.span?.id : node.kind === 'entity' ? node.entity?.id : undefined;
    if (key !== undefined && typeof id === 'number') return { key, id };
  }
  return undefined;
}

/** The open document with this key (URI string), if any. */
export function openDocument(key: string): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((document) => document.uri.toString() === key);
}
