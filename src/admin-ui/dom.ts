/**
 * The only way the moderation page builds DOM. Everything shown comes from strangers (names, bodies,
 * URLs, linkback titles), so text goes in through textContent and attributes through setAttribute;
 * nothing here parses HTML, and there is no innerHTML anywhere in the admin.
 */
export type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    // Event handler attributes would be script; the page never sets one (CSP would refuse it anyway).
    if (/^on/i.test(name)) throw new Error(`refusing to set ${name}`);
    el.setAttribute(name, value === true ? '' : value);
  }
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function clear(el: Element): void {
  el.replaceChildren();
}

/** An http(s) URL as a link that opens apart from the admin and tells the site nothing; anything else as text. */
export function externalLink(url: string | null | undefined, label?: string): Node {
  const text = label ?? url ?? '';
  if (!url || !isHttpUrl(url)) return document.createTextNode(text);
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow ugc' }, text);
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

let uid = 0;
export function nextId(prefix: string): string {
  uid += 1;
  return `${prefix}-${uid}`;
}
