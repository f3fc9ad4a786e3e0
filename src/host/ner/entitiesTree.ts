import * as vscode from 'vscode';
import { colorSlotsFor } from './decorationPlan';
import type { DocumentEntity } from './entities';
import { groupByLabel, type LabelGroup } from './entityTree';
import type { EntityStore } from './entityStore';
import { colorIds } from './labelColors';

export const REVEAL_ENTITY_COMMAND = 'bertLens.revealEntity';

type Node =
  | { kind: 'group'; group: LabelGroup; document: vscode.TextDocument }
  | { kind: 'entity'; entity: DocumentEntity; document: vscode.TextDocument }
  | { kind: 'more'; hidden: number };

const MAX_LABEL_CHARS = 60;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_LABEL_CHARS ? `${flat.slice(0, MAX_LABEL_CHARS)}…` : flat;
}

/**
 * The Entities view: the active editor's entities grouped by label. The groups double as the legend
 * (a circle in the label's colour, the count); clicking an entity selects its span in the editor.
 */
export class EntitiesTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private document: vscode.TextDocument | undefined;

  constructor(private readonly store: EntityStore) {}

  /** The document whose entities are listed (the active editor's). */
  show(document: vscode.TextDocument | undefined): void {
    this.document = document;
    this.changed.fire(undefined);
  }

  get shownDocument(): vscode.TextDocument | undefined {
    return this.document;
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  /** A one-line summary for the view's message, or undefined when the view shows its welcome text. */
  summary(): string | undefined {
    const entry = this.document && this.store.get(this.document.uri.toString());
    if (!entry) return undefined;
    const count = entry.entities.length;
    return `${count} ${count === 1 ? 'entity' : 'entities'} · model: ${entry.modelDescription}`;
  }

  getChildren(node?: Node): Node[] {
    const document = this.document;
    if (!document) return [];
    const entry = this.store.get(document.uri.toString());
    if (!entry) return [];
    if (!node) return groupByLabel(entry.entities, colorSlotsFor(entry)).map((group) => ({ kind: 'group', group, document }));
    if (node.kind !== 'group') return [];
    const children: Node[] = node.group.entities.map((entity) => ({ kind: 'entity', entity, document: node.document }));
    if (node.group.hidden > 0) children.push({ kind: 'more', hidden: node.group.hidden });
    return children;
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.group.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `group:${node.document.uri.toString()}:${node.group.label}`;
        item.description = String(node.group.count);
        if (node.group.slot) item.iconPath = new vscode.ThemeIcon('circle-filled', new vscode.ThemeColor(colorIds(node.group.slot).border));
        item.tooltip = `${node.group.count} × ${node.group.label}`;
        item.contextValue = 'bertLens.entityGroup';
        return item;
      }
      case 'entity': {
        const { entity, document } = node;
        const line = document.positionAt(entity.start).line + 1;
        const item = new vscode.TreeItem(oneLine(entity.text), vscode.TreeItemCollapsibleState.None);
        item.id = `entity:${document.uri.toString()}:${entity.id}`;
        item.description = `line ${line} · ${entity.score.toFixed(2)}`;
        item.tooltip = `${entity.label} · score ${entity.score.toFixed(3)} · line ${line}`;
        item.command = { command: REVEAL_ENTITY_COMMAND, title: 'Reveal Entity', arguments: [document.uri.toString(), entity.id] };
        item.contextValue = 'bertLens.entity';
        return item;
      }
      case 'more':
        return new vscode.TreeItem(`… ${node.hidden} more (not listed)`, vscode.TreeItemCollapsibleState.None);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
