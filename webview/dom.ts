/*
 * The one way the panel builds DOM: h() creates elements and puts text in with textContent, never
 * innerHTML, so a label named `<img src=x onerror=alert(1)>` shows as those characters. Attributes go
 * through an allow-list: no event handlers (on*), no inline style (the CSP forbids both anyway), no
 * URLs. Written against the small DomLike interface so that tests can run it on a fake document.
 */

export interface ElementLike {
  textContent: string | null;
  setAttribute(name: string, value: string): void;
  appendChild(child: ElementLike): unknown;
}

export interface DomLike {
  createElement(tag: string): ElementLike;
  createElementNS(namespace: string, tag: string): ElementLike;
}

export const SVG_NS = 'http://www.w3.org/2000/svg';

const SAFE_ATTRIBUTE = /^(class|id|role|title|type|name|value|for|slot|colspan|rowspan|disabled|checked|selected|placeholder|min|max|step|label|tabindex|open|heading|description|appearance|secondary|viewBox|points|x|y|x1|y1|x2|y2|cx|cy|r|width|height|d|text-anchor|dominant-baseline|preserveAspectRatio|(data|aria)-[a-z][a-z0-9-]*)$/;

/** Throws for an attribute the panel must never set (handlers, style, src/href...). */
export function checkAttribute(name: string): void {
  if (!SAFE_ATTRIBUTE.test(name)) throw new Error(`attribute "${name}" is not allowed in the panel`);
}

export type Attributes = Record<string, string | number | boolean | undefined>;
export type Child = ElementLike | string | number | null | undefined | false;

function build(element: ElementLike, doc: DomLike, attributes: Attributes, children: readonly Child[]): ElementLike {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    checkAttribute(name);
    element.setAttribute(name, value === true ? '' : String(value));
  }
  const kept = children.filter((c): c is ElementLike | string | number => c !== null && c !== undefined && c !== false);
  if (kept.length === 1 && typeof kept[0] !== 'object') {
    element.textContent = String(kept[0]);
    return element;
  }
  for (const child of kept) {
    if (typeof child === 'object') {
      element.appendChild(child);
    } else {
      const span = doc.createElement('span');
      span.textContent = String(child);
      element.appendChild(span);
    }
  }
  return element;
}

/** An HTML element: `h(doc, 'td', { class: 'num' }, '0.93')`. Strings always become text. */
export function h(doc: DomLike, tag: string, attributes: Attributes = {}, ...children: Child[]): ElementLike {
  if (!/^[a-z][a-z0-9-]*$/.test(tag) || tag === 'script' || tag === 'style' || tag === 'iframe' || tag === 'object' || tag === 'embed') {
    throw new Error(`element <${tag}> is not allowed in the panel`);
  }
  return build(doc.createElement(tag), doc, attributes, children);
}

/** An SVG element (charts). */
export function svg(doc: DomLike, tag: string, attributes: Attributes = {}, ...children: Child[]): ElementLike {
  if (!/^(svg|g|polyline|line|text|rect|circle|path|title)$/.test(tag)) throw new Error(`SVG element <${tag}> is not allowed in the panel`);
  return build(doc.createElementNS(SVG_NS, tag), doc, attributes, children);
}
