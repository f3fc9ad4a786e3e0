import * as vscode from 'vscode';
import { groupAnnotations, type AnnotationGroup, type AnnotationTreeSource } from '../annotation/annotationTree';
import type { TrackedCategories } from '../annotation/documentCategories';
import type { TrackedSpan } from '../annotation/trackedSpans';
import { acceptedText } from '../../core/data/categoryEdits';
import { colorSlotsFor } from './decorationPlan';
import type { DocumentEntity } from './entities';
import { groupByLabel, type LabelGroup } from './entityTree';
import type { EntityStore } from './entityStore';
import { colorIds } from './labelColors';

export const REVEAL_ENTITY_COMMAND = 'bertLens.revealEntity';
export const REVEAL_ANNOTATION_COMMAND = 'bertLens.revealAnnotation';

type Node =
  | { kind: 'group'; group: LabelGroup; document: vscode.TextDocument }
  | { kind: 'entity'; entity: DocumentEntity; document: vscode.TextDocument }
  | { kind: 'more'; hidden: number }
  | { kind: 'annotations'; count: number; document: vscode.TextDocument }
  | { kind: 'annotationGroup'; group: AnnotationGroup; document: vscode.TextDocument }
  | { kind: 'annotation'; span: TrackedSpan; document: vscode.TextDocument }
  | { kind: 'categories'; list: readonly TrackedCategories[]; document: vscode.TextDocument }
  | { kind: 'category'; categories: TrackedCategories; document: vscode.TextDocument };

const MAX_LABEL_CHARS = 60;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_LABEL_CHARS ? `${flat.slice(0, MAX_LABEL_CHARS)}…` : flat;
}

/**
 * The Entities view: the active editor's entities grouped by label. The groups double as the legend
 * (a circle in the label's colour, the count); clicking an entity selects its span in the editor.
 * With an annotation source, the user's annotations come first in an "Annotations" group, and the
 * source's filter shows predictions, annotations or both.
 */
export class EntitiesTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private document: vscode.TextDocument | undefined;

  constructor(
    private readonly store: EntityStore,
    private readonly annotations?: AnnotationTreeSource,
  ) {}

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
    const key = this.document?.uri.toString();
    const filter = this.annotations?.filter() ?? 'predictions';
    const entry = key !== undefined && filter !== 'annotations' ? this.store.get(key) : undefined;
    const annotated = key !== undefined && filter !== 'predictions' ? this.annotations?.spans(key)?.length ?? 0 : 0;
    const categorized = key !== undefined && filter !== 'predictions' ? this.annotations?.categories?.(key)?.length ?? 0 : 0;
    const parts: string[] = [];
    if (entry) {
      const count = entry.entities.length;
      parts.push(`${count} ${count === 1 ? 'entity' : 'entities'} · model: ${entry.modelDescription}`);
    }
    if (annotated > 0) parts.push(`${annotated} ${annotated === 1 ? 'annotation' : 'annotations'}`);
    if (categorized > 0) parts.push(`${categorized} text ${categorized === 1 ? 'category' : 'categories'}`);
    return parts.length > 0 ? parts.join(' · ') : undefined;
  }

  getChildren(node?: Node): Node[] {
    const document = this.document;
    if (!document) return [];
    const key = document.uri.toString();
    const filter = this.annotations?.filter() ?? 'predictions';
    if (!node) {
      const entry = filter !== 'annotations' ? this.store.get(key) : undefined;
      const predictions: Node[] = entry ? groupByLabel(entry.entities, colorSlotsFor(entry)).map((group) => ({ kind: 'group', group, document })) : [];
      const annotated = filter !== 'predictions' ? this.annotations?.spans(key) ?? [] : [];
      const categorized = filter !== 'predictions' ? this.annotations?.categories?.(key) ?? [] : [];
      if ((annotated.length > 0 || categorized.length > 0) && filter === 'annotations') return [...this.annotationGroups(document, annotated), ...predictions];
      // The person's own labels come first: a model's predictions can run to hundreds of rows.
      if (annotated.length > 0 || categorized.length > 0) return [{ kind: 'annotations', count: annotated.length + categorized.length, document }, ...predictions];
      return predictions;
    }
    switch (node.kind) {
      case 'group': {
        const children: Node[] = node.group.entities.map((entity) => ({ kind: 'entity', entity, document: node.document }));
        if (node.group.hidden > 0) children.push({ kind: 'more', hidden: node.group.hidden });
        return children;
      }
      case 'annotations':
        return this.annotationGroups(node.document, this.annotations?.spans(node.document.uri.toString()) ?? []);
      case 'categories':
        return node.list.map((categories) => ({ kind: 'category', categories, document: node.document }));
      case 'annotationGroup': {
        const children: Node[] = node.group.spans.map((span) => ({ kind: 'annotation', span, document: node.document }));
        if (node.group.hidden > 0) children.push({ kind: 'more', hidden: node.group.hidden });
        return children;
      }
      default:
        return [];
    }
  }

  private annotationGroups(document: vscode.TextDocument, spans: readonly TrackedSpan[]): Node[] {
    const slots = this.annotations?.slots(document.uri.toString()) ?? new Map<string, string>();
    const categories = this.annotations?.categories?.(document.uri.toString()) ?? [];
    const groups: Node[] = groupAnnotations(spans, slots).map((group) => ({ kind: 'annotationGroup', group, document }));
    return categories.length > 0 ? [{ kind: 'categories', list: categories, document }, ...groups] : groups;
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
      case 'annotations': {
        const item = new vscode.TreeItem('Annotations', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `annotations:${node.document.uri.toString()}`;
        item.description = String(node.count);
        item.iconPath = new vscode.ThemeIcon('tag');
        item.tooltip = `${node.count} span(s) and text-category decision(s) you made in this document`;
        item.contextValue = 'bertLens.annotations';
        return item;
      }
      case 'annotationGroup': {
        const item = new vscode.TreeItem(node.group.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `annotationGroup:${node.document.uri.toString()}:${node.group.label}`;
        item.description = String(node.group.count);
        item.iconPath = new vscode.ThemeIcon('tag', node.group.slot ? new vscode.ThemeColor(colorIds(node.group.slot).border) : undefined);
        item.tooltip = `${node.group.count} × ${node.group.label} (annotations)`;
        item.contextValue = 'bertLens.annotationGroup';
        return item;
      }
      case 'categories': {
        const item = new vscode.TreeItem('Text categories', vscode.TreeItemCollapsibleState.Expanded);
        item.id = `categories:${node.document.uri.toString()}`;
        item.description = String(node.list.length);
        item.iconPath = new vscode.ThemeIcon('symbol-enum');
        item.tooltip = `${node.list.length} text-category decision(s) (document, paragraphs, selections)`;
        item.contextValue = 'bertLens.categories';
        return item;
      }
      case 'category': {
        const { categories, document } = node;
        const line = document.positionAt(categories.start).line + 1;
        // TreeItem labels are plain text: a label that looks like markup shows as typed.
        const item = new vscode.TreeItem(acceptedText(categories), vscode.TreeItemCollapsibleState.None);
        item.id = `category:${document.uri.toString()}:${categories.id}`;
        item.description = categories.scope === 'document' ? 'document' : `${categories.scope} · line ${line} · ${oneLine(document.getText(new vscode.Range(document.positionAt(categories.start), document.positionAt(categories.end))))}`;
        item.tooltip = `${categories.multiLabel ? 'multi-label' : 'exclusive'} choice among ${categories.options.join(', ')}`;
        item.command = { command: REVEAL_ANNOTATION_COMMAND, title: 'Reveal Annotation', arguments: [document.uri.toString(), categories.id] };
        item.contextValue = 'bertLens.category';
        return item;
      }
      case 'annotation': {
        const { span, document } = node;
        const line = document.positionAt(span.start).line + 1;
        const item = new vscode.TreeItem(oneLine(span.text), vscode.TreeItemCollapsibleState.None);
        item.id = `annotation:${document.uri.toString()}:${span.id}`;
        item.description = `line ${line}`;
        item.tooltip = `${span.label} · annotation · line ${line}`;
        item.command = { command: REVEAL_ANNOTATION_COMMAND, title: 'Reveal Annotation', arguments: [document.uri.toString(), span.id] };
        item.contextValue = 'bertLens.annotation';
        return item;
      }
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
