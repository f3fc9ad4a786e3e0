import type { DomLike, ElementLike } from '../../../webview/dom';

/**
 * A minimal document for the panel's rendering helpers (jsdom is not a dependency): elements with
 * attributes, children and text. `outerHTML` serializes the way a browser would, escaping text, so a
 * test can see whether markup in a label became elements or stayed text.
 */
export class FakeElement implements ElementLike {
  readonly attributes = new Map<string, string>();
  children: Array<FakeElement | FakeText> = [];
  constructor(readonly tag: string, readonly namespace?: string) {}

  get textContent(): string {
    return this.children.map((c) => c.textContent).join('');
  }

  set textContent(value: string | null) {
    this.children = value === null || value === '' ? [] : [new FakeText(value)];
  }

  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }

  getAttribute(name: string): string | undefined {
    return this.attributes.get(name);
  }

  appendChild(child: ElementLike): unknown {
    if (!(child instanceof FakeElement)) throw new Error('only FakeElements can be appended');
    this.children.push(child);
    return child;
  }

  /** Every element below (and including) this one. */
  all(): FakeElement[] {
    return [this, ...this.children.flatMap((c) => (c instanceof FakeElement ? c.all() : []))];
  }

  find(predicate: (e: FakeElement) => boolean): FakeElement[] {
    return this.all().filter(predicate);
  }

  get outerHTML(): string {
    const attributes = [...this.attributes].map(([n, v]) => ` ${n}="${v.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`).join('');
    return `<${this.tag}${attributes}>${this.children.map((c) => c.outerHTML).join('')}</${this.tag}>`;
  }
}

export class FakeText {
  constructor(readonly textContent: string) {}
  get outerHTML(): string {
    return this.textContent.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  }
}

export class FakeDocument implements DomLike {
  createElement(tag: string): FakeElement {
    return new FakeElement(tag);
  }
  createElementNS(namespace: string, tag: string): FakeElement {
    return new FakeElement(tag, namespace);
  }
}
