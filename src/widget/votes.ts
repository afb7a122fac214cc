/**
 * Like and dislike in the widget (contract v1.1 "Votes"). The reader's voter id is a random id kept
 * in localStorage and sent with every vote, so the server counts one vote per reader and comment
 * (the no-JavaScript form uses a cookie instead). Pressing the same button again withdraws the vote.
 */

const VOTER_KEY = 'backtalk:voter';
const VOTES_KEY = 'backtalk:votes';

function stored<T>(key: string, fallback: T): T {
  try {
    return (JSON.parse(localStorage.getItem(key) || 'null') as T) ?? fallback;
  } catch {
    return fallback;
  }
}

function store(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage disabled: the vote still counts, the reader's id just lasts for this page.
  }
}

let sessionVoter: string | undefined;

/** The reader's voter id: 128 random bits, base64url; made once and kept. */
function voterId(): string {
  let id = stored<string | null>(VOTER_KEY, null) ?? sessionVoter;
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    sessionVoter = id;
    store(VOTER_KEY, id);
  }
  return id;
}

/** Shows which button the reader pressed on each vote form in `scope`. */
export function markVotes(scope: ParentNode): void {
  const mine = stored<Record<string, number>>(VOTES_KEY, {});
  scope.querySelectorAll<HTMLFormElement>('form.bt-vote').forEach((form) => {
    const value = mine[form.dataset.btVote!] ?? 0;
    form.querySelectorAll<HTMLButtonElement>('button[name=value]').forEach((b) => b.setAttribute('aria-pressed', String(Number(b.value) === value)));
  });
}

/**
 * Sends the vote of `button` on `form` as JSON and shows the new counts. Resolves to an error
 * message for the reader, or undefined when the vote counted.
 */
export async function castVote(form: HTMLFormElement, button: HTMLButtonElement | null, base: string, lang: string, offline: string): Promise<string | undefined> {
  const id = form.dataset.btVote!;
  const mine = stored<Record<string, number>>(VOTES_KEY, {});
  const pressed = Number(button?.value ?? 1);
  const value = mine[id] === pressed ? 0 : pressed;
  let res: Response;
  try {
    res = await fetch(`${base}/api/comments/${id}/vote`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ value, voter: voterId(), lang }),
    });
  } catch {
    return offline;
  }
  const data = (await res.json().catch(() => ({}))) as { likes?: number; dislikes?: number; error?: { message?: string } };
  if (!res.ok) return data.error?.message || String(res.status);
  form.querySelector('.bt-likes')!.textContent = String(data.likes);
  form.querySelector('.bt-dislikes')!.textContent = String(data.dislikes);
  if (value === 0) delete mine[id];
  else mine[id] = value;
  store(VOTES_KEY, mine);
  markVotes(form.parentNode!);
  return undefined;
}
