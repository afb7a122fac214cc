/**
 * The reader's own comments held for moderation (issue 17.4), in the widget. The shared thread (the
 * cached /thread fragment) never contains them; the widget keeps each held comment's edit token in
 * localStorage and asks POST /thread/held for them, then merges the rendered items into the thread
 * where they belong, marked "awaiting moderation". Once published (or removed) an entry is dropped.
 */
export const HELD_KEY = 'backtalk:held';
/** How long a held comment is looked for: longer than any sane moderation queue. */
const KEEP_MS = 30 * 24 * 3600_000;

interface Held { token: string; target: string; until: number }

function read(): Record<string, Held> {
  try {
    return (JSON.parse(localStorage.getItem(HELD_KEY) || 'null') as Record<string, Held>) ?? {};
  } catch {
    return {};
  }
}

function write(all: Record<string, Held>): void {
  try {
    localStorage.setItem(HELD_KEY, JSON.stringify(all));
  } catch {
    // Storage full or disabled: the comment is simply not shown until it is approved.
  }
}

/** Called when POST /comments answered `pending`: remember the proof of authorship. */
export function rememberHeld(id: number, token: string, target: string): void {
  const all = read();
  all[id] = { token, target, until: Date.now() + KEEP_MS };
  write(all);
}

/** Merges this thread's held comments of this reader into `section` (the rendered .bt-thread). */
export async function mergeHeld(section: HTMLElement, base: string): Promise<void> {
  const target = section.dataset.btTarget!;
  const all = read();
  const mine = Object.keys(all).filter((id) => all[id]!.target === target && all[id]!.until > Date.now());
  if (mine.length === 0) return;
  const res = await fetch(`${base}/thread/held?target=${encodeURIComponent(target)}&lang=${encodeURIComponent(section.lang)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ own: mine.map((id) => ({ id: Number(id), token: all[id]!.token })) }),
  }).catch(() => undefined);
  if (!res?.ok) return;
  const { items } = (await res.json()) as { items: Array<{ id: number; parent: number | null; html: string }> };
  const shown = new Set(items.map((item) => String(item.id)));
  // Published, removed or expired: no longer this reader's private view.
  for (const id of Object.keys(all)) if (all[id]!.until < Date.now() || (mine.includes(id) && !shown.has(id))) delete all[id];
  write(all);
  for (const item of items) {
    const tpl = document.createElement('template');
    tpl.innerHTML = item.html; // server-rendered and escaped, like the thread itself
    const li = tpl.content.firstElementChild;
    if (!li) continue;
    document.getElementById('comment-' + item.id)?.remove();
    const parent = item.parent === null ? null : section.querySelector<HTMLElement>(`#comment-${item.parent}`);
    let list = parent?.querySelector<HTMLElement>(':scope > ol.bt-replies') ?? null;
    if (parent && !list) {
      list = document.createElement('ol');
      list.className = 'bt-replies';
      parent.append(list);
    }
    (list ?? section.querySelector('ol.bt-comments'))?.append(li);
  }
  if (items.length > 0) section.querySelector('.bt-empty')?.remove();
}
