import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  decodeJwtClaims,
  isMfaRequired,
  isReauthenticationRequired,
  LatchClient,
  LatchMfaRequiredError,
  LatchNetworkError,
  LatchProblemError,
  LatchReauthenticationRequiredError,
  MemoryTokenStorage,
  parseRetryAfter,
  type StoredTokens,
} from '../../client/index.js';

/**
 * The client's renewal logic against an in-process fake of the auth API. The fake behaves like
 * Latch where it matters: each renewal spends its token, a spent token presented again revokes
 * the session, and only the session's current access token is accepted.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TTL = 900;

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwt(claims: Record<string, unknown>): string {
  return `${b64url({ alg: 'EdDSA', typ: 'JWT', kid: 'k1' })}.${b64url(claims)}.c2lnbmF0dXJl`;
}

interface Call {
  method: string;
  path: string;
  body: unknown;
  authorization: string | null;
}

function problem(status: number, code: string, extra: { errors?: Record<string, string[]>; headers?: Record<string, string> } = {}): Response {
  return new Response(
    JSON.stringify({
      type: `urn:latch:problem:${code}`,
      title: code,
      status,
      detail: `detail of ${code}`,
      code,
      ...(extra.errors ? { errors: extra.errors } : {}),
    }),
    {
      status,
      headers: { 'content-type': 'application/problem+json', ...extra.headers },
    },
  );
}

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

const user = {
  id: 'u1',
  email: 'a@example.com',
  emailConfirmed: true,
  unconfirmedEmail: null,
  role: 'user',
  locked: false,
  invitedBy: null,
  createdAt: 'x',
  updatedAt: 'x',
};

/** A fake Latch: one user, sessions with rotating renewal tokens and one current access token. */
function fakeLatch(clock: { now: number }) {
  let counter = 0;
  const sessions = new Map<string, { current: string; renewal: string; spent: Set<string> }>();
  const calls: Call[] = [];
  const state = {
    calls,
    /** Set to answer renewals with this response instead. */
    renewAnswer: undefined as (() => Response) | undefined,
    /** Delays renewals until this promise settles. */
    renewGate: undefined as Promise<void> | undefined,
    /** Overrides any route. */
    route: undefined as ((call: Call) => Response | Promise<Response> | undefined) | undefined,
  };
  function pair(sid: string) {
    counter += 1;
    const iat = Math.floor(clock.now / 1000);
    const accessToken = jwt({ sub: 'u1', sid, iat, exp: iat + TTL, jti: `j${counter}` });
    const renewalToken = `u1.${sid}.r${counter}`;
    const session = sessions.get(sid) ?? { current: '', renewal: '', spent: new Set<string>() };
    session.current = accessToken;
    session.renewal = renewalToken;
    sessions.set(sid, session);
    return { accessToken, renewalToken, tokenType: 'Bearer', expiresIn: TTL, user };
  }
  function sessionOf(authorization: string | null) {
    const token = authorization?.replace(/^Bearer /, '') ?? '';
    const sid = decodeJwtClaims(token)?.sid;
    const session = typeof sid === 'string' ? sessions.get(sid) : undefined;
    return session && session.current === token ? { sid: sid as string, session } : undefined;
  }
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const call: Call = {
      method: init?.method ?? 'GET',
      path: url.pathname,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      authorization: headers.get('authorization'),
    };
    calls.push(call);
    const overridden = state.route?.(call);
    if (overridden) return overridden;
    const key = `${call.method} ${call.path}`;
    if (key === 'POST /session') return jsonResponse(200, pair(`s${sessions.size + 1}`));
    if (key === 'POST /session/renew') {
      if (state.renewGate) await state.renewGate;
      if (state.renewAnswer) return state.renewAnswer();
      const token = (call.body as { renewalToken: string }).renewalToken;
      const sid = token.split('.')[1] ?? '';
      const session = sessions.get(sid);
      if (!session) return problem(401, 'unauthorized');
      if (session.renewal !== token) {
        if (session.spent.has(token)) sessions.delete(sid); // theft detection
        return problem(401, 'unauthorized');
      }
      session.spent.add(token);
      return jsonResponse(200, pair(sid));
    }
    const caller = sessionOf(call.authorization);
    if (!caller) return problem(401, 'unauthorized', { headers: { 'www-authenticate': 'Bearer' } });
    if (key === 'GET /me') return jsonResponse(200, { user });
    if (key === 'DELETE /session') {
      sessions.delete(caller.sid);
      return new Response(null, { status: 204 });
    }
    return problem(404, 'not_found');
  };
  return { fetch, state, sessions, renews: () => calls.filter((c) => c.path === '/session/renew').length };
}

function setup(options: { renewBeforeSeconds?: number; onSessionEnd?: (reason: LatchProblemError) => void; storage?: MemoryTokenStorage } = {}) {
  const clock = { now: Date.UTC(2026, 0, 1) };
  const latch = fakeLatch(clock);
  const storage = options.storage ?? new MemoryTokenStorage();
  const client = new LatchClient({
    baseUrl: 'https://auth.example.test/',
    fetch: latch.fetch,
    storage,
    now: () => clock.now,
    ...(options.renewBeforeSeconds !== undefined ? { renewBeforeSeconds: options.renewBeforeSeconds } : {}),
    ...(options.onSessionEnd ? { onSessionEnd: options.onSessionEnd } : {}),
  });
  return { clock, latch, storage, client };
}

/** Lets a test release a gated renewal when it wants to. */
function gate() {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('client: token storage and expiry', () => {
  test('sign-in stores the pair with an expiry on the local clock from expiresIn', async () => {
    const { client, clock, storage } = setup();
    const pair = await client.signIn({ email: 'a@example.com', password: 'pw' });
    assert.deepEqual(storage.get(), { accessToken: pair.accessToken, renewalToken: pair.renewalToken, expiresAt: clock.now + TTL * 1000 });
  });

  test('a pair set without expiresIn gets its lifetime from the token (exp - iat), not the device clock', async () => {
    const { client, clock, storage } = setup();
    const iat = 1_000; // a token from a server whose clock is far from ours
    await client.setTokens({ accessToken: jwt({ sid: 's1', iat, exp: iat + 120 }), renewalToken: 'u1.s1.r0' });
    assert.equal(storage.get()?.expiresAt, clock.now + 120_000);
  });

  test('decodeJwtClaims reads base64url payloads with UTF-8 text', () => {
    const claims = decodeJwtClaims(jwt({ sub: 'ü-用户', exp: 42, pad: '??>>' }));
    assert.deepEqual(claims, { sub: 'ü-用户', exp: 42, pad: '??>>' });
    assert.equal(decodeJwtClaims('not a token'), undefined);
    assert.equal(decodeJwtClaims('a.!!!.c'), undefined);
  });

  test('a call without a stored pair is unauthorized without a request', async () => {
    const { client, latch } = setup();
    await assert.rejects(client.me(), (e: unknown) => e instanceof LatchProblemError && e.code === 'unauthorized' && e.status === 401);
    assert.equal(latch.state.calls.length, 0);
  });
});

describe('client: renewal before expiry', () => {
  test('no renewal while the access token is far from expiry; renewal within renewBeforeSeconds', async () => {
    const { client, clock, latch, storage } = setup({ renewBeforeSeconds: 60 });
    const first = await client.signIn({ email: 'a@example.com', password: 'pw' });
    await client.me();
    assert.equal(latch.renews(), 0);
    clock.now += (TTL - 59) * 1000;
    await client.me();
    assert.equal(latch.renews(), 1);
    assert.notEqual(storage.get()?.accessToken, first.accessToken);
    const me = latch.state.calls.at(-1);
    assert.equal(me?.authorization, `Bearer ${storage.get()?.accessToken}`);
  });

  test('concurrent calls share a single in-flight renewal', async () => {
    const { client, clock, latch, storage } = setup();
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    clock.now += TTL * 1000; // expired
    const users = await Promise.all(Array.from({ length: 10 }, () => client.me()));
    assert.equal(users.length, 10);
    assert.equal(latch.renews(), 1);
    const renewed = storage.get()?.accessToken;
    const meCalls = latch.state.calls.filter((c) => c.path === '/me');
    assert.equal(meCalls.length, 10);
    assert.ok(meCalls.every((c) => c.authorization === `Bearer ${renewed}`));
  });

  test('an explicit renew() while another renewal is in flight joins it', async () => {
    const { client, clock, latch } = setup();
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    clock.now += TTL * 1000;
    const g = gate();
    latch.state.renewGate = g.promise;
    const calls = [client.me(), client.renew(), client.getAccessToken(), client.me()];
    await new Promise((resolve) => setTimeout(resolve, 5));
    g.open();
    await Promise.all(calls);
    assert.equal(latch.renews(), 1);
  });

  test('a renewal failing for a passing reason does not fail a call whose token is still valid', async () => {
    const { client, clock, latch, storage } = setup({ renewBeforeSeconds: 60 });
    const pair = await client.signIn({ email: 'a@example.com', password: 'pw' });
    clock.now += (TTL - 30) * 1000;
    latch.state.renewAnswer = () => problem(503, 'service_unavailable', { headers: { 'retry-after': '2' } });
    const me = await client.me();
    assert.equal(me.id, 'u1');
    assert.equal(latch.state.calls.at(-1)?.authorization, `Bearer ${pair.accessToken}`);
    assert.equal(storage.get()?.renewalToken, pair.renewalToken);
  });

  test('a renewal failing for a passing reason after expiry throws it and keeps the session', async () => {
    let ended = 0;
    const { client, clock, latch, storage } = setup({ onSessionEnd: () => ended++ });
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    clock.now += TTL * 1000;
    latch.state.renewAnswer = () => problem(503, 'service_unavailable', { headers: { 'retry-after': '7' } });
    await assert.rejects(client.me(), (e: unknown) => e instanceof LatchProblemError && e.code === 'service_unavailable' && e.retryAfterSeconds === 7);
    assert.ok(storage.get());
    assert.equal(ended, 0);
    latch.state.renewAnswer = undefined;
    assert.equal((await client.me()).id, 'u1');
  });
});

describe('client: 401 handling and the end of a session', () => {
  test('a 401 renews once and retries once', async () => {
    const { client, latch, storage } = setup();
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    // The server no longer accepts the access token (e.g. its local expiry estimate was off).
    const stale = storage.get() as StoredTokens;
    storage.set({ ...stale, accessToken: jwt({ sid: 's1', iat: 0, exp: 9_999_999_999 }) });
    const me = await client.me();
    assert.equal(me.id, 'u1');
    assert.equal(latch.renews(), 1);
    assert.deepEqual(
      latch.state.calls.map((c) => `${c.method} ${c.path}`),
      ['POST /session', 'GET /me', 'POST /session/renew', 'GET /me'],
    );
  });

  test('a 401 after a successful renewal is thrown, without a second renewal', async () => {
    const { client, latch } = setup();
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    latch.state.route = (call) => (call.path === '/me' ? problem(401, 'unauthorized') : undefined);
    await assert.rejects(client.me(), (e: unknown) => e instanceof LatchProblemError && e.code === 'unauthorized');
    assert.equal(latch.renews(), 1);
    assert.equal(latch.state.calls.filter((c) => c.path === '/me').length, 2);
  });

  test('a call refused because another call rotated the pair meanwhile retries with the new pair, never respending', async () => {
    const { client, latch, clock } = setup();
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    // One call sends with the current token and is answered only after a renewal rotated it.
    const g = gate();
    let held = true;
    const inner = latch.fetch;
    const client2Fetch: typeof fetch = async (input, init) => {
      if (held && String(input).endsWith('/me')) {
        held = false;
        await g.promise;
      }
      return inner(input, init);
    };
    const storage = new MemoryTokenStorage();
    const client2 = new LatchClient({ baseUrl: 'https://auth.example.test', fetch: client2Fetch, storage, now: () => clock.now });
    await client2.setTokens((await client.getTokens()) as StoredTokens);
    const slow = client2.me();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await client2.renew();
    g.open();
    assert.equal((await slow).id, 'u1');
    assert.equal(latch.renews(), 1);
    assert.equal(latch.sessions.size, 1, 'the session was not revoked as stolen');
  });

  test('renewal answering 401 clears the storage and calls onSessionEnd once, whatever the number of callers', async () => {
    const reasons: LatchProblemError[] = [];
    const { client, clock, latch, storage } = setup({ onSessionEnd: (reason) => reasons.push(reason) });
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    latch.sessions.clear(); // revoked elsewhere
    clock.now += TTL * 1000;
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => client.me()));
    assert.ok(results.every((r) => r.status === 'rejected' && r.reason instanceof LatchProblemError && r.reason.code === 'unauthorized'));
    assert.equal(latch.renews(), 1);
    assert.equal(storage.get(), null);
    assert.equal(reasons.length, 1);
    assert.equal(reasons[0]?.code, 'unauthorized');
  });

  test('renewal answering 403 account_locked ends the session with that reason', async () => {
    const reasons: string[] = [];
    const { client, clock, latch, storage } = setup({ onSessionEnd: (reason) => reasons.push(reason.code) });
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    clock.now += TTL * 1000;
    latch.state.renewAnswer = () => problem(403, 'account_locked');
    await assert.rejects(client.me(), (e: unknown) => e instanceof LatchProblemError && e.code === 'account_locked');
    assert.equal(storage.get(), null);
    assert.deepEqual(reasons, ['account_locked']);
  });

  test('a sign-in made while a renewal is in flight is kept, whether the renewal succeeds or fails', async () => {
    for (const outcome of ['success', 'failure'] as const) {
      let ended = 0;
      const { client, clock, latch, storage } = setup({ onSessionEnd: () => ended++ });
      await client.signIn({ email: 'a@example.com', password: 'pw' });
      clock.now += TTL * 1000;
      const g = gate();
      latch.state.renewGate = g.promise;
      if (outcome === 'failure') latch.state.renewAnswer = () => problem(401, 'unauthorized');
      const pending = client.renew().catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const fresh = await client.signIn({ email: 'b@example.com', password: 'pw' });
      g.open();
      await pending;
      assert.equal(storage.get()?.renewalToken, fresh.renewalToken, outcome);
      assert.equal(ended, 0, outcome);
    }
  });

  test('the lock option: a pair another tab renewed meanwhile is used, without a request', async () => {
    const { latch, clock } = setup();
    const shared = new MemoryTokenStorage();
    let locked = 0;
    const lock = async (_name: string, task: () => Promise<unknown>) => {
      locked += 1;
      // Another tab renewed just before we got the lock.
      const theirs = await tab2.renew();
      assert.ok(theirs);
      return task();
    };
    const tab1 = new LatchClient({ baseUrl: 'https://auth.example.test', fetch: latch.fetch, storage: shared, lock, now: () => clock.now });
    const tab2 = new LatchClient({ baseUrl: 'https://auth.example.test', fetch: latch.fetch, storage: shared, now: () => clock.now });
    await tab1.signIn({ email: 'a@example.com', password: 'pw' });
    clock.now += TTL * 1000;
    await tab1.me();
    assert.equal(locked, 1);
    assert.equal(latch.renews(), 1, 'only the other tab renewed');
    assert.equal(latch.sessions.size, 1);
  });
});

describe('client: sign out', () => {
  test('sign out waits for the renewal in flight and signs out with the renewed token', async () => {
    const { client, clock, latch, storage } = setup();
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    clock.now += TTL * 1000;
    const g = gate();
    latch.state.renewGate = g.promise;
    const me = client.me();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const out = client.signOut();
    g.open();
    await Promise.all([me, out]);
    const del = latch.state.calls.find((c) => c.method === 'DELETE');
    assert.ok(del);
    assert.equal(latch.sessions.size, 0, 'the server-side session is gone');
    assert.equal(storage.get(), null);
  });

  test('sign out of a session that is already gone succeeds quietly; a network failure clears and rethrows', async () => {
    let ended = 0;
    const { client, latch, storage } = setup({ onSessionEnd: () => ended++ });
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    latch.sessions.clear();
    await client.signOut();
    assert.equal(storage.get(), null);
    assert.equal(ended, 0);

    await client.signIn({ email: 'a@example.com', password: 'pw' });
    latch.state.route = () => {
      throw new TypeError('network down');
    };
    await assert.rejects(client.signOut(), (e: unknown) => e instanceof LatchNetworkError && !e.timedOut);
    assert.equal(storage.get(), null);
  });
});

describe('client: typed problem errors', () => {
  async function errorFor(response: () => Response): Promise<LatchProblemError> {
    const client = new LatchClient({ baseUrl: 'https://auth.example.test', fetch: async () => response() });
    try {
      await client.resendConfirmation({ email: 'a@example.com' });
    } catch (error) {
      assert.ok(error instanceof LatchProblemError);
      assert.ok(error instanceof Error);
      return error;
    }
    assert.fail('expected an error');
  }

  test('422 carries the errors map', async () => {
    const error = await errorFor(() => problem(422, 'validation_failed', { errors: { email: ['has invalid format'] } }));
    assert.equal(error.status, 422);
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(error.errors, { email: ['has invalid format'] });
    assert.equal(error.message, 'detail of validation_failed');
    assert.equal(error.name, 'LatchProblemError');
  });

  test('mfa_required and reauthentication_required are typed problems carrying their members', async () => {
    const extended = (status: number, code: string, members: Record<string, unknown>) => () =>
      new Response(JSON.stringify({ type: `urn:latch:problem:${code}`, title: code, status, detail: `detail of ${code}`, code, ...members }), {
        status,
        headers: { 'content-type': 'application/problem+json' },
      });
    const mfa = await errorFor(extended(403, 'mfa_required', { mfaToken: 'u.s', mfaMethods: ['totp', 'recovery_code'], expiresIn: 300 }));
    assert.ok(mfa instanceof LatchMfaRequiredError && isMfaRequired(mfa));
    assert.equal(mfa.code, 'mfa_required');
    assert.equal(mfa.status, 403);
    assert.equal(mfa.mfaToken, 'u.s');
    assert.deepEqual(mfa.mfaMethods, ['totp', 'recovery_code']);
    assert.equal(mfa.expiresIn, 300);
    const reauth = await errorFor(extended(403, 'reauthentication_required', { reauthMethods: ['password', 'totp'], reauthAal: 'aal2' }));
    assert.ok(reauth instanceof LatchReauthenticationRequiredError && isReauthenticationRequired(reauth));
    assert.deepEqual(reauth.reauthMethods, ['password', 'totp']);
    assert.equal(reauth.reauthAal, 'aal2');
    assert.ok(!isMfaRequired(reauth));
  });

  test('completeMfa sends the mfaToken and code to POST /session/mfa and stores the pair', async () => {
    const storage = new MemoryTokenStorage();
    const now = Math.floor(Date.now() / 1000);
    const pair = { accessToken: jwt({ sub: 'u', sid: 's', iat: now, exp: now + TTL }), renewalToken: 'r', tokenType: 'Bearer', expiresIn: TTL };
    const calls: Array<{ path: string; body: unknown }> = [];
    const client = new LatchClient({
      baseUrl: 'https://auth.example.test',
      storage,
      fetch: async (input, init) => {
        const url = new URL(String(input));
        calls.push({ path: url.pathname, body: JSON.parse(String(init?.body ?? 'null')) });
        if (url.pathname === '/session')
          return new Response(
            JSON.stringify({ code: 'mfa_required', status: 403, title: 't', detail: 'd', mfaToken: 'u.s', mfaMethods: ['totp'], expiresIn: 300 }),
            { status: 403, headers: { 'content-type': 'application/problem+json' } },
          );
        return jsonResponse(200, { ...pair, user: { id: 'u' } });
      },
    });
    const error = await client.signIn({ email: 'a@example.com', password: 'pw' }).catch((e: unknown) => e);
    assert.ok(isMfaRequired(error));
    assert.equal(storage.get(), null);
    await client.completeMfa({ mfaToken: error.mfaToken, code: '123456' });
    assert.deepEqual(calls.at(-1), { path: '/session/mfa', body: { mfaToken: 'u.s', code: '123456' } });
    assert.equal(storage.get()?.accessToken, pair.accessToken);
  });

  test('429 and 503 carry Retry-After in seconds, as delta-seconds or an HTTP date', async () => {
    const tooMany = await errorFor(() => problem(429, 'too_many_attempts', { headers: { 'retry-after': '900' } }));
    assert.equal(tooMany.code, 'too_many_attempts');
    assert.equal(tooMany.retryAfterSeconds, 900);
    const date = new Date(Date.now() + 120_000).toUTCString();
    const unavailable = await errorFor(() => problem(503, 'service_unavailable', { headers: { 'retry-after': date } }));
    assert.equal(unavailable.code, 'service_unavailable');
    assert.ok(unavailable.retryAfterSeconds !== undefined && unavailable.retryAfterSeconds >= 118 && unavailable.retryAfterSeconds <= 120);
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')), 60);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(null), undefined);
  });

  test('an answer that is not problem+json gets the code its status means', async () => {
    const gateway = await errorFor(() => new Response('{"message":"Service Unavailable"}', { status: 503, headers: { 'retry-after': '1' } }));
    assert.equal(gateway.code, 'service_unavailable');
    assert.equal(gateway.retryAfterSeconds, 1);
    const throttled = await errorFor(() => new Response('<html>busy</html>', { status: 429 }));
    assert.equal(throttled.code, 'too_many_attempts');
    const bug = await errorFor(() => new Response('', { status: 500 }));
    assert.equal(bug.code, 'internal_error');
    const unknownCode = await errorFor(() => problem(403, 'made_up_code'));
    assert.equal(unknownCode.code, 'forbidden');
  });

  test('a request that gets no answer in time is a LatchNetworkError with timedOut', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const client = new LatchClient({ baseUrl: 'https://auth.example.test', fetch: hanging, timeoutMs: 20 });
    await assert.rejects(client.jwks(), (e: unknown) => e instanceof LatchNetworkError && e.timedOut);
    const controller = new AbortController();
    const aborted = client.jwks({ signal: controller.signal });
    controller.abort();
    await assert.rejects(aborted, (e: unknown) => !(e instanceof LatchNetworkError));
  });
});

describe('client: every route is called exactly as the contract says', () => {
  test('methods, paths, bodies, bearer tokens and unwrapped answers', async () => {
    const { client, latch, storage } = setup();
    const pair = await client.signIn({ email: 'a@example.com', password: 'pw', rememberMe: true });
    const bearer = `Bearer ${pair.accessToken}`;
    const answers: Record<string, Response | (() => Response)> = {
      'POST /registration': () => jsonResponse(202, { message: 'check your mail' }),
      'POST /email-confirmation/resend': () => jsonResponse(202, { message: 'sent' }),
      'POST /email-confirmation/t%2Fok': () => jsonResponse(200, { user }),
      'POST /password-reset': () => jsonResponse(202, { message: 'sent' }),
      'GET /password-reset/tok.1': () => jsonResponse(200, { email: 'a@example.com' }),
      'POST /password-reset/tok.1': () => jsonResponse(200, { message: 'done' }),
      'GET /invitations/inv.1': () => jsonResponse(200, { email: 'new@example.com' }),
      'GET /.well-known/jwks.json': () => jsonResponse(200, { keys: [{ kty: 'OKP', kid: 'k1', crv: 'Ed25519', x: 'abc' }] }),
      'GET /.well-known/openid-configuration': () =>
        jsonResponse(200, { issuer: 'https://auth.example.test', jwks_uri: 'https://auth.example.test/.well-known/jwks.json' }),
      'PATCH /me': () => jsonResponse(200, { user: { ...user, unconfirmedEmail: 'b@example.com' } }),
      'GET /sessions': () => jsonResponse(200, { sessions: [{ id: 's1', createdAt: 'x', lastUsedAt: 'x', userAgent: 'ua', ip: '1.2.3.4', current: true }] }),
      'DELETE /sessions/other': () => new Response(null, { status: 204 }),
      'POST /invitations': () => jsonResponse(201, { invitation: { email: 'new@example.com', expiresAt: 'x' } }),
    };
    latch.state.route = (call) => {
      const answer = answers[`${call.method} ${call.path}`];
      return typeof answer === 'function' ? answer() : answer;
    };
    assert.deepEqual(await client.register({ email: 'n@example.com', password: 'pw', passwordConfirmation: 'pw' }), {
      signedIn: false,
      message: 'check your mail',
    });
    assert.deepEqual(await client.resendConfirmation({ email: 'a@example.com' }), { message: 'sent' });
    assert.equal((await client.confirmEmail('t/ok')).id, 'u1');
    assert.deepEqual(await client.requestPasswordReset({ email: 'a@example.com' }), { message: 'sent' });
    assert.deepEqual(await client.getPasswordReset('tok.1'), { email: 'a@example.com' });
    assert.deepEqual(await client.resetPassword('tok.1', { password: 'new pass phrase', passwordConfirmation: 'new pass phrase' }), { message: 'done' });
    assert.deepEqual(await client.getInvitation('inv.1'), { email: 'new@example.com' });
    assert.equal((await client.jwks()).keys[0]?.kid, 'k1');
    assert.equal((await client.openidConfiguration()).issuer, 'https://auth.example.test');
    assert.equal((await client.updateMe({ currentPassword: 'pw', email: 'b@example.com' })).unconfirmedEmail, 'b@example.com');
    assert.equal((await client.sessions())[0]?.current, true);
    await client.revokeSession('other');
    assert.ok(storage.get(), 'revoking another session keeps this one');
    assert.deepEqual(await client.invite({ email: 'new@example.com' }), { email: 'new@example.com', expiresAt: 'x' });

    const seen = latch.state.calls.slice(1).map((c) => ({ route: `${c.method} ${c.path}`, body: c.body, bearer: c.authorization === bearer }));
    assert.deepEqual(seen, [
      { route: 'POST /registration', body: { email: 'n@example.com', password: 'pw', passwordConfirmation: 'pw' }, bearer: false },
      { route: 'POST /email-confirmation/resend', body: { email: 'a@example.com' }, bearer: false },
      { route: 'POST /email-confirmation/t%2Fok', body: undefined, bearer: false },
      { route: 'POST /password-reset', body: { email: 'a@example.com' }, bearer: false },
      { route: 'GET /password-reset/tok.1', body: undefined, bearer: false },
      { route: 'POST /password-reset/tok.1', body: { password: 'new pass phrase', passwordConfirmation: 'new pass phrase' }, bearer: false },
      { route: 'GET /invitations/inv.1', body: undefined, bearer: false },
      { route: 'GET /.well-known/jwks.json', body: undefined, bearer: false },
      { route: 'GET /.well-known/openid-configuration', body: undefined, bearer: false },
      { route: 'PATCH /me', body: { currentPassword: 'pw', email: 'b@example.com' }, bearer: true },
      { route: 'GET /sessions', body: undefined, bearer: true },
      { route: 'DELETE /sessions/other', body: undefined, bearer: true },
      { route: 'POST /invitations', body: { email: 'new@example.com' }, bearer: true },
    ]);
  });

  test('accepting an invitation and registering without confirmation store the new session', async () => {
    const { client, latch, storage, clock } = setup();
    const issued = { accessToken: jwt({ sid: 's9', iat: 1, exp: 901 }), renewalToken: 'u1.s9.r1', tokenType: 'Bearer', expiresIn: TTL, user };
    latch.state.route = (call) =>
      call.method === 'POST' && (call.path === '/invitations/inv.1' || call.path === '/registration') ? jsonResponse(201, issued) : undefined;
    const accepted = await client.acceptInvitation('inv.1', { password: 'a long passphrase' });
    assert.equal(accepted.renewalToken, 'u1.s9.r1');
    assert.deepEqual(storage.get(), { accessToken: issued.accessToken, renewalToken: issued.renewalToken, expiresAt: clock.now + TTL * 1000 });
    await client.clearTokens();
    const registered = await client.register({ email: 'n@example.com', password: 'a long passphrase' });
    assert.equal(registered.signedIn, true);
    assert.equal(storage.get()?.renewalToken, 'u1.s9.r1');
  });

  test('revoking the current session, signing out everywhere and deleting the account clear the storage', async () => {
    for (const action of ['revokeSession', 'signOutEverywhere', 'deleteMe'] as const) {
      let ended = 0;
      const { client, latch, storage } = setup({ onSessionEnd: () => ended++ });
      await client.signIn({ email: 'a@example.com', password: 'pw' });
      latch.state.route = (call) => (call.method === 'DELETE' ? new Response(null, { status: 204 }) : undefined);
      if (action === 'revokeSession') await client.revokeSession('s1');
      else if (action === 'signOutEverywhere') await client.signOutEverywhere();
      else await client.deleteMe({ currentPassword: 'pw' });
      const call = latch.state.calls.at(-1);
      assert.equal(
        `${call?.method} ${call?.path}`,
        { revokeSession: 'DELETE /sessions/s1', signOutEverywhere: 'DELETE /sessions', deleteMe: 'DELETE /me' }[action],
      );
      if (action === 'deleteMe') assert.deepEqual(call?.body, { currentPassword: 'pw' });
      assert.equal(storage.get(), null, action);
      assert.equal(ended, 0, action);
    }
  });

  test('a session found dead before revoking another session or deleting the account ends with onSessionEnd', async () => {
    // The session was revoked elsewhere: the call never reached its goal, so the end was not asked for.
    for (const action of ['revokeSession', 'deleteMe'] as const) {
      const reasons: string[] = [];
      const { client, latch, storage } = setup({ onSessionEnd: (reason) => reasons.push(reason.code) });
      await client.signIn({ email: 'a@example.com', password: 'pw' });
      latch.sessions.clear();
      const call = action === 'revokeSession' ? client.revokeSession('s9') : client.deleteMe({ currentPassword: 'pw' });
      await assert.rejects(call, (e: unknown) => e instanceof LatchProblemError && e.code === 'unauthorized');
      assert.equal(storage.get(), null, action);
      assert.deepEqual(reasons, ['unauthorized'], action);
    }
  });

  test('revoking the current session, signing out everywhere or signing out with a session already gone is quiet', async () => {
    for (const action of ['revokeSession', 'signOutEverywhere', 'signOut'] as const) {
      let ended = 0;
      const { client, latch, storage } = setup({ onSessionEnd: () => ended++ });
      await client.signIn({ email: 'a@example.com', password: 'pw' });
      latch.sessions.clear();
      const call = action === 'revokeSession' ? client.revokeSession('s1') : client[action]();
      await call.catch((e: unknown) => assert.ok(e instanceof LatchProblemError && e.code === 'unauthorized', action));
      assert.equal(storage.get(), null, action);
      assert.equal(ended, 0, action);
    }
  });

  test('a sign-in made while signing out everywhere, deleting the account or revoking the current session is kept', async () => {
    for (const action of ['revokeSession', 'signOutEverywhere', 'deleteMe'] as const) {
      // Prepare: the DELETE waits until a new sign-in (a new session, s2) has been stored.
      const { client, latch, storage } = setup();
      await client.signIn({ email: 'a@example.com', password: 'pw' });
      const held = gate();
      latch.state.route = (call) => (call.method === 'DELETE' ? held.promise.then(() => new Response(null, { status: 204 })) : undefined);

      // Act
      const pending =
        action === 'revokeSession'
          ? client.revokeSession('s1')
          : action === 'deleteMe'
            ? client.deleteMe({ currentPassword: 'pw' })
            : client.signOutEverywhere();
      await new Promise((resolve) => setTimeout(resolve, 0));
      const fresh = await client.signIn({ email: 'b@example.com', password: 'pw' });
      held.open();
      await pending;

      // Assess
      assert.equal(storage.get()?.renewalToken, fresh.renewalToken, action);
    }
  });

  test('a renewal of the same session while signing out everywhere does not keep the dead pair', async () => {
    // Prepare: the DELETE waits until a parallel call has renewed the session.
    const { client, latch, storage, clock } = setup();
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    const held = gate();
    latch.state.route = (call) => (call.method === 'DELETE' ? held.promise.then(() => new Response(null, { status: 204 })) : undefined);

    // Act
    const pending = client.signOutEverywhere();
    await new Promise((resolve) => setTimeout(resolve, 0));
    clock.now += TTL * 1000;
    await client.me();
    held.open();
    await pending;

    // Assess
    assert.equal(latch.renews(), 1);
    assert.equal(storage.get(), null);
  });

  test('a stateless client stores nothing; withAccessToken calls with that token and never renews', async () => {
    const { latch, clock } = setup();
    const server = new LatchClient({ baseUrl: 'https://auth.example.test', fetch: latch.fetch, storage: null, now: () => clock.now });
    const pair = await server.signIn({ email: 'a@example.com', password: 'pw' });
    assert.equal(await server.getTokens(), null);
    assert.equal((await server.withAccessToken(pair.accessToken).me()).id, 'u1');
    const renewed = await server.renew(pair.renewalToken);
    assert.notEqual(renewed.renewalToken, pair.renewalToken);
    await assert.rejects(server.withAccessToken(pair.accessToken).me(), (e: unknown) => e instanceof LatchProblemError && e.code === 'unauthorized');
    assert.equal(latch.renews(), 1);
  });

  test('authFetch adds the bearer token to another API and renews on its 401', async () => {
    const { client, latch, storage } = setup();
    await client.signIn({ email: 'a@example.com', password: 'pw' });
    let first = true;
    latch.state.route = (call) => {
      if (call.path !== '/hello') return undefined;
      if (first) {
        first = false;
        return new Response('{"message":"Unauthorized"}', { status: 401 });
      }
      return jsonResponse(200, { hello: call.authorization === `Bearer ${storage.get()?.accessToken}` });
    };
    const response = await client.authFetch('https://service.example.test/hello', { headers: { 'x-extra': '1' } });
    assert.deepEqual(await response.json(), { hello: true });
    assert.equal(latch.renews(), 1);
  });
});

describe('client: runs without Node', () => {
  test('the client type-checks with only the ES and DOM libraries (no Node types) and uses no Node or non-portable globals', () => {
    const file = path.join(root, 'client/index.ts');
    const program = ts.createProgram([file], {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.deepEqual(diagnostics, []);
    const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const banned of [
      /\bimport\s/,
      /\brequire\(/,
      /\bBuffer\b/,
      /\bprocess\./,
      /\bnode:/,
      /\bTextDecoder\b/,
      /\bDOMException\b/,
      /AbortSignal\.(any|timeout)/,
      /\bcrypto\./,
    ]) {
      assert.doesNotMatch(source, banned);
    }
  });
});

describe('client: audit log', () => {
  test('myActivity, adminAudit and adminUserAudit: bearer, query strings (Dates as ISO, unset members left out), pages as answered', async () => {
    const seen: Array<{ method: string; url: string; authorization: string | null }> = [];
    const page = { events: [{ id: 'e1', type: 'sign_in', outcome: 'success', at: 'x', actor: { kind: 'user' }, details: {} }], nextCursor: 'next' };
    const fetch: typeof globalThis.fetch = async (input, init) => {
      seen.push({ method: init?.method ?? 'GET', url: String(input), authorization: new Headers(init?.headers).get('authorization') });
      return jsonResponse(200, page);
    };
    const admin = new LatchClient({ baseUrl: 'https://auth.example.test', fetch, storage: null }).withAccessToken('tok');
    assert.deepEqual(await admin.myActivity(), page);
    await admin.myActivity({ limit: 10, cursor: 'c1' });
    await admin.adminAudit({ email: 'Ann@Example.com', type: 'admin.*', from: new Date(Date.UTC(2026, 0, 1)), to: '2026-01-02', cursor: null });
    await admin.adminAudit();
    assert.equal((await admin.adminUserAudit('u/1', { type: 'sign_in', limit: 5 })).nextCursor, 'next');
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.url.replace('https://auth.example.test', '')}`),
      [
        'GET /me/activity',
        'GET /me/activity?limit=10&cursor=c1',
        'GET /admin/audit?email=Ann%40Example.com&type=admin.*&from=2026-01-01T00%3A00%3A00.000Z&to=2026-01-02',
        'GET /admin/audit',
        'GET /admin/users/u%2F1/audit?type=sign_in&limit=5',
      ],
    );
    assert.ok(seen.every((s) => s.authorization === 'Bearer tok'));
  });

  test('a refused audit query is a LatchProblemError with its errors', async () => {
    const fetch: typeof globalThis.fetch = async () => problem(422, 'validation_failed', { errors: { from: ['must not be after to'] } });
    const admin = new LatchClient({ baseUrl: 'https://auth.example.test', fetch, storage: null }).withAccessToken('tok');
    await assert.rejects(
      admin.adminAudit({ from: '2026-02-01', to: '2026-01-01' }),
      (e: unknown) => e instanceof LatchProblemError && e.code === 'validation_failed' && e.errors?.from?.[0] === 'must not be after to',
    );
  });
});
