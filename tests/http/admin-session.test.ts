/**
 * The moderation page's sign-in (issue 17, point 6): the session cookie's flags (HttpOnly,
 * SameSite=Strict, Max-Age from BACKTALK_ADMIN_SESSION, Secure behind HTTPS only through a trusted
 * proxy or an https public URL), CSRF refusal of cookie-authenticated changes, the bearer API
 * unchanged, expiry, signing out, and signing out everywhere.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';

import { manualClock } from '../helpers/clock.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../helpers/test-server.js';
import { adminFind, assertErrorShape, postComment } from './http-support.js';

async function start(t: TestContext, env: Record<string, string> = {}, clock = manualClock(Date.now())): Promise<TestServer> {
  const server = await startTestServer({ BACKTALK_MODERATION: 'all', ...env }, { clock });
  t.after(() => server.close());
  return server;
}

interface SignedIn { cookie: string; setCookie: string; csrf: string; expires: string }

async function signIn(server: TestServer, headers: Record<string, string> = {}): Promise<SignedIn> {
  const res = await server.request('/api/admin/session', { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...headers } });
  assert.equal(res.status, 201);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const body = (await res.json()) as { signed_in: boolean; csrf: string; expires: string };
  assert.equal(body.signed_in, true);
  return { cookie: setCookie.split(';')[0]!, setCookie, csrf: body.csrf, expires: body.expires };
}

const withCookie = (s: SignedIn, extra: Record<string, string> = {}) => ({ cookie: s.cookie, ...extra });

async function approve(server: TestServer, id: number, headers: Record<string, string>): Promise<Response> {
  return server.request(`/api/admin/comments/${id}`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ action: 'approve' }),
  });
}

describe('admin session cookie', () => {
  it('is HttpOnly, SameSite=Strict, Path=/, lasts BACKTALK_ADMIN_SESSION, and is not Secure over plain HTTP', async (t) => {
    const server = await start(t, { BACKTALK_ADMIN_SESSION: '12h' });
    const s = await signIn(server);
    const flags = s.setCookie.split(';').map((f) => f.trim().toLowerCase());
    assert.match(s.cookie, /^backtalk_admin=\d+\.[\w-]{43}\.[\w-]{43}$/);
    assert.ok(flags.includes('httponly'), s.setCookie);
    assert.ok(flags.includes('samesite=strict'), s.setCookie);
    assert.ok(flags.includes('path=/'), s.setCookie);
    assert.ok(flags.includes(`max-age=${12 * 3600}`), s.setCookie);
    assert.ok(!flags.includes('secure'), `no Secure over plain http: ${s.setCookie}`);
    assert.ok(Math.abs(Date.parse(s.expires) - (Date.now() + 12 * 3600_000)) < 60_000);

    // The cookie alone reads the API, in any tab: GET /session hands a new tab its CSRF token.
    assert.equal((await server.request('/api/admin/counts', { headers: withCookie(s) })).status, 200);
    const again = (await (await server.request('/api/admin/session', { headers: withCookie(s) })).json()) as { csrf: string };
    assert.equal(again.csrf, s.csrf);
  });

  it('is Secure behind a trusted HTTPS proxy or with an https public URL, and not for an untrusted X-Forwarded-Proto', async (t) => {
    const trusted = await start(t, { BACKTALK_TRUST_PROXY: 'true' });
    assert.match((await signIn(trusted, { 'x-forwarded-proto': 'https' })).setCookie, /;\s*Secure/i);
    assert.doesNotMatch((await signIn(trusted)).setCookie, /;\s*Secure/i);

    const untrusted = await start(t);
    assert.doesNotMatch((await signIn(untrusted, { 'x-forwarded-proto': 'https' })).setCookie, /;\s*Secure/i, 'a header anyone can send');

    const https = await start(t, { BACKTALK_PUBLIC_URL: 'https://comments.blog.example' });
    assert.match((await signIn(https)).setCookie, /;\s*Secure/i);
  });

  it('is not issued without the admin token', async (t) => {
    const server = await start(t);
    const res = await server.request('/api/admin/session', { method: 'POST', headers: { authorization: 'Bearer wrong-token-0123456789' } });
    await assertErrorShape(res, 401);
    assert.equal(res.headers.get('set-cookie'), null);
    await assertErrorShape(await server.request('/api/admin/session'), 401);
  });
});

describe('CSRF protection of cookie-authenticated changes', () => {
  it('refuses a change that carries the cookie without the CSRF header, or with a wrong one, and changes nothing', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'held for a moderator' });
    const s = await signIn(server);

    const bare = await approve(server, c.id, withCookie(s));
    const error = await assertErrorShape(bare, 403);
    assert.equal(error.code, 'csrf-refused');
    await assertErrorShape(await approve(server, c.id, withCookie(s, { 'x-backtalk-csrf': 'x'.repeat(43) })), 403);
    // Another session's token is no good either.
    const other = await signIn(server);
    await assertErrorShape(await approve(server, c.id, withCookie(s, { 'x-backtalk-csrf': other.csrf })), 403);
    const bulk = await server.request('/api/admin/comments/bulk', {
      method: 'POST', headers: withCookie(s, { 'content-type': 'application/json' }), body: JSON.stringify({ action: 'delete', ids: [c.id] }),
    });
    await assertErrorShape(bulk, 403);
    assert.equal((await adminFind(server, c.id))?.status, 'pending', 'nothing changed');

    const ok = await approve(server, c.id, withCookie(s, { 'x-backtalk-csrf': s.csrf }));
    assert.equal(ok.status, 200);
    assert.equal((await adminFind(server, c.id))?.status, 'approved');
  });

  it('leaves the bearer-token API as it was: no cookie, no CSRF header needed', async (t) => {
    const server = await start(t);
    const c = await postComment(server, { body: 'a script moderates me' });
    const res = await approve(server, c.id, { authorization: `Bearer ${ADMIN_TOKEN}` });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('set-cookie'), null);
    // A wrong bearer token is refused even when a valid cookie comes along: the header decides.
    const s = await signIn(server);
    await assertErrorShape(await server.request('/api/admin/counts', { headers: withCookie(s, { authorization: 'Bearer wrong-token-0123456789' }) }), 401);
  });
});

describe('session lifetime', () => {
  it('ends when BACKTALK_ADMIN_SESSION is over', async (t) => {
    const clock = manualClock(Date.now());
    const server = await start(t, { BACKTALK_ADMIN_SESSION: '1h' }, clock);
    const s = await signIn(server);
    clock.advance(59 * 60_000);
    assert.equal((await server.request('/api/admin/counts', { headers: withCookie(s) })).status, 200);
    clock.advance(2 * 60_000);
    await assertErrorShape(await server.request('/api/admin/counts', { headers: withCookie(s) }), 401);
  });

  it('refuses a forged or altered cookie', async (t) => {
    const server = await start(t);
    const s = await signIn(server);
    const [name, value] = s.cookie.split('=') as [string, string];
    const [expires, nonce, mac] = value.split('.') as [string, string, string];
    for (const forged of [`${Number(expires) + 86400}.${nonce}.${mac}`, `${expires}.${'A'.repeat(43)}.${mac}`, `${expires}.${nonce}.${'A'.repeat(43)}`, 'garbage']) {
      await assertErrorShape(await server.request('/api/admin/counts', { headers: { cookie: `${name}=${forged}` } }), 401);
    }
  });

  it('signs out this browser (the cookie is cleared) and everywhere (every session refused, a new sign-in works)', async (t) => {
    const server = await start(t);
    const laptop = await signIn(server);
    const phone = await signIn(server);

    const out = await server.request('/api/admin/session', { method: 'DELETE', headers: withCookie(laptop, { 'x-backtalk-csrf': laptop.csrf }) });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie') ?? '', /^backtalk_admin=;.*Expires=Thu, 01 Jan 1970/i);

    // Sign out everywhere needs the CSRF token like every change.
    await assertErrorShape(await server.request('/api/admin/session/revoke-all', { method: 'POST', headers: withCookie(phone) }), 403);
    assert.equal((await server.request('/api/admin/counts', { headers: withCookie(phone) })).status, 200);
    const everywhere = await server.request('/api/admin/session/revoke-all', { method: 'POST', headers: withCookie(phone, { 'x-backtalk-csrf': phone.csrf }) });
    assert.equal(everywhere.status, 204);
    for (const s of [laptop, phone]) await assertErrorShape(await server.request('/api/admin/counts', { headers: withCookie(s) }), 401);

    const fresh = await signIn(server);
    assert.equal((await server.request('/api/admin/counts', { headers: withCookie(fresh) })).status, 200);
    // The bearer token is not a session: it keeps working after "sign out everywhere".
    assert.equal((await server.admin('/api/admin/counts')).status, 200);
  });
});
