/**
 * Property-based fuzzing of every route in `shared/http/routes.ts` (walked, never listed here), in
 * process: each function's real `handler` (the whole middy stack) gets API Gateway payload 2.0
 * events with arbitrary bodies, headers, path and query parameters, over in-memory deps.
 *
 *   FUZZ_SEED=<seed>   replay a run (the seed is printed at the start of every run)
 *   FUZZ_RUNS=<n>      requests for the route property (default 10000)
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { signIn } from '../../shared/flows/current-session.js';
import { newUser } from '../../shared/flows/registration.js';
import { KNOWN_CODES, STATUS } from '../../shared/http/problem.js';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';
import { FastFakeHasher, findLeak, type Handler, lambdaContext, loadFunctions, pathParams, routeEvent, snapshotMaps } from '../support/hardening.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x7fffffff);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10000);
const EMAIL = 'fuzz-owner@example.com';
const PASSWORD = 'correct horse battery staple';

/**
 * 4xx answers that the contract (docs/API.md) lets change state, and what they may change.
 * Everything else refused with a 4xx must leave every store map and the outbox as they were.
 * `counters` is the failure counters' map: an attempt whose password is checked reserves a slot
 * in it first (a wrong password keeps it, a right one that does not sign in gives it back).
 */
const DOCUMENTED_4XX_EFFECTS: Array<{ route: string; code: string; maps: string[]; mail: boolean; why: string }> = [
  {
    route: 'POST /session',
    code: 'email_not_confirmed',
    maps: ['tokens', 'users', 'claimExpiries', 'counters'],
    mail: true,
    why: 'the confirmation mail is sent again (a never-confirmed account then expires with the new link)',
  },
  { route: 'POST /session', code: 'account_locked', maps: ['counters'], mail: false, why: 'the right password reserved a slot and gave it back' },
  { route: 'POST /session', code: 'forbidden', maps: ['counters'], mail: false, why: 'the right password reserved a slot and gave it back' },
  {
    route: 'PATCH /me',
    code: 'validation_failed',
    maps: ['counters'],
    mail: true,
    why: 'a checked currentPassword reserves a slot: a wrong one is a failed sign-in (the one that starts a lockout mails the owner)',
  },
  {
    route: 'DELETE /me',
    code: 'validation_failed',
    maps: ['counters'],
    mail: true,
    why: 'a checked currentPassword reserves a slot: a wrong one is a failed sign-in (the one that starts a lockout mails the owner)',
  },
  { route: 'POST /session/renew', code: 'unauthorized', maps: ['sessions'], mail: false, why: 'a spent renewal token revokes its session' },
  {
    route: 'POST /session',
    code: 'invalid_credentials',
    maps: ['counters'],
    mail: true,
    why: 'failed sign-ins are counted; the one that starts a lockout mails the owner',
  },
  {
    route: 'POST /session',
    code: 'too_many_attempts',
    maps: ['counters'],
    mail: false,
    why: 'a refusal during a lockout reads the counters (and may restart an expired window)',
  },
  // Step-up (mfa-and-passkeys spec §4): a password or code given as proof is an attempt like a
  // sign-in: a wrong one is counted (the one that starts a lockout mails the owner), a right one
  // whose request is refused afterwards gives its slot back.
  ...['POST /session/reauthenticate', 'POST /me/mfa/totp', 'DELETE /me/mfa/totp', 'POST /me/mfa/recovery-codes'].flatMap((route) =>
    ['invalid_credentials', 'invalid_code', 'too_many_attempts', 'validation_failed', 'reauthentication_required'].map((code) => ({
      route,
      code,
      maps: ['counters'],
      mail: true,
      why: 'a step-up proof is counted like a sign-in attempt',
    })),
  ),
  // Social sign-in's step-up routes (docs/specs/social-sign-in.md §6), counted the same way.
  ...['DELETE /me/identities/{provider}', 'POST /me/identities', 'POST /oauth/{provider}/authorize'].flatMap((route) =>
    ['invalid_code', 'too_many_attempts', 'validation_failed', 'reauthentication_required'].map((code) => ({
      route,
      code,
      maps: ['counters'],
      mail: true,
      why: 'a step-up proof is counted like a sign-in attempt',
    })),
  ),
  // Passkeys (mfa-and-passkeys spec §7): the step-up routes count like the ones above; a refused
  // passwordless sign-in counts against its source address (no owner mail: no account is named).
  ...['POST /me/passkeys/options', 'DELETE /me/passkeys/{id}', 'DELETE /me/password'].flatMap((route) =>
    ['invalid_credentials', 'invalid_code', 'too_many_attempts', 'validation_failed', 'reauthentication_required'].map((code) => ({
      route,
      code,
      maps: ['counters'],
      mail: true,
      why: 'a step-up proof is counted like a sign-in attempt',
    })),
  ),
  ...['invalid_credentials', 'too_many_attempts'].map((code) => ({
    route: 'POST /session/passkey',
    code,
    maps: ['counters'],
    mail: false,
    why: 'a refused passkey sign-in is counted against its source address',
  })),
];

let deps: MemoryDeps;
let byFunction: Awaited<ReturnType<typeof loadFunctions>>['byFunction'];
let notFound: Handler;
let spentRenewal = '';

before(async () => {
  const base = await memoryDeps();
  deps = { ...base, hasher: new FastFakeHasher() as unknown as MemoryDeps['hasher'] };
  useDeps(deps);
  ({ byFunction, notFound } = await loadFunctions());
  const owner = newUser(deps, { email: EMAIL, passwordHash: await deps.hasher.hash(PASSWORD), emailConfirmed: true });
  await deps.store.commit([{ type: 'createUser', user: owner }]);
  // A spent renewal token, for the reuse-detection path.
  const pair = await signIn(deps, { email: EMAIL, password: PASSWORD }, { ip: null, userAgent: null });
  const renew = await call(findRoute('POST /session/renew'), { body: JSON.stringify({ renewalToken: pair.renewalToken }) });
  assert.equal(renew.statusCode, 200);
  spentRenewal = pair.renewalToken;
  for (const [name, value] of Object.entries(stateMaps())) if (value instanceof Map) baseline.set(name, structuredClone(value));
});

const baseline = new Map<string, Map<unknown, unknown>>();

/** The maps of the in-memory store and of the failure counters (`counters`), by name. */
function stateMaps(): Record<string, unknown> {
  return { ...deps.store, counters: deps.counters.byScope };
}

function restoreBaseline(): void {
  for (const [name, value] of Object.entries(stateMaps())) {
    if (!(value instanceof Map)) continue;
    value.clear();
    for (const [k, v] of baseline.get(name) ?? []) value.set(k, structuredClone(v));
  }
  deps.mailer.sent.length = 0;
}

function findRoute(key: string): RouteDefinition {
  const route = (routes as readonly RouteDefinition[]).find((r) => routeKey(r) === key);
  if (!route) throw new Error(`no route ${key}`);
  return route;
}

async function call(route: RouteDefinition, input: Parameters<typeof routeEvent>[1]) {
  const handler = byFunction.get(route.function);
  if (!handler) throw new Error(`no handler for ${route.function}`);
  return handler(routeEvent(route, input), lambdaContext(route.function));
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

/** Placeholders the run replaces with live values (a fresh access or renewal token, the owner). */
const LIVE = ['@@EMAIL@@', '@@PASSWORD@@', '@@ACCESS@@', '@@RENEWAL@@', '@@SPENT@@'] as const;

const edgeString = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\uD800',
  '\uDFFF',
  '\uFEFF',
  'ı',
  'İ',
  'K',
  'ß',
  'ẞ',
  'ＦＵＺＺ-ＯＷＮＥＲ@ｅｘａｍｐｌｅ.ｃｏｍ',
  'fuzz-o\u200Bwner@example.com',
  'FUZZ-OWNER@EXAMPLE.COM ',
  '\u202Eevil@example.com',
  '👩‍👩‍👧@example.com',
  'e\u0301@example.com',
  'a@b',
  '@example.com',
  'a@@example.com',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  '{"a":1}',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '../../etc/passwd',
  '%00%2F..%2F',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, on purpose
  '${jndi:ldap://x}',
  'password',
  '12345678',
);

/** Up to and beyond 64 KiB, in units of 1 to 4 UTF-8 bytes. */
const hugeString = fc
  .tuple(fc.constantFrom('a', 'é', '€', '𝔘', '\u200B', '\\"'), fc.integer({ min: 1000, max: 70000 }))
  .map(([unit, bytes]) => unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))));

/** Email-shaped values of 321 to 100,000 characters: malformed, and never a key (a 4xx, not DynamoDB's 500). */
const oversizedEmail = fc
  .tuple(fc.integer({ min: 321, max: 100_000 }), fc.constantFrom('a', 'é', '𝔘', 'Ａ', '\u200B'), fc.constantFrom('@example.com', '@ｅｘａｍｐｌｅ.ｃｏｍ', ''))
  .map(([length, unit, domain]) => `${unit.repeat(length)}`.slice(0, length - domain.length) + domain);

const someString = fc.oneof(
  { weight: 4, arbitrary: fc.string() },
  { weight: 3, arbitrary: fc.string({ unit: 'binary' }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme' }) },
  { weight: 5, arbitrary: edgeString },
  { weight: 3, arbitrary: fc.emailAddress() },
  { weight: 4, arbitrary: fc.constantFrom(...LIVE) },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: oversizedEmail },
);

/** Any JSON value, biased to strings but with every wrong type (arrays and objects included). */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: someString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(someString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string(), someString, { maxKeys: 3 }) },
);

/** Field names of the current and upcoming routes, plus anything. */
const fieldName = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom('email', 'password', 'passwordConfirmation', 'currentPassword', 'rememberMe', 'renewalToken', 'role', 'emailConfirmed', 'token'),
  },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', '') },
  { weight: 1, arbitrary: fc.string() },
);

interface FuzzBody {
  text: string | undefined;
  base64: boolean;
}

/** Bodies of the right shape with plausible values, so the fuzz also reaches the flows' success paths. */
const plausibleBody = fc.record(
  {
    email: fc.oneof(fc.constant('@@EMAIL@@'), fc.emailAddress(), edgeString, oversizedEmail),
    password: fc.oneof(fc.constant('@@PASSWORD@@'), fc.string({ minLength: 8 }), edgeString),
    passwordConfirmation: fc.oneof(fc.constant('@@PASSWORD@@'), fc.string()),
    currentPassword: fc.constant('@@PASSWORD@@'),
    rememberMe: fc.boolean(),
    renewalToken: fc.constantFrom('@@RENEWAL@@', '@@SPENT@@'),
  },
  { requiredKeys: [] },
);

const bodyText: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 6, arbitrary: plausibleBody.map((o) => JSON.stringify(o)) },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 10, arbitrary: fc.dictionary(fieldName, fieldValue, { maxKeys: 5 }).map((o) => JSON.stringify(o)) },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), edgeString) },
  { weight: 1, arbitrary: fc.constantFrom('email=a%40b.c&password=x', '<xml/>', '{"email":', '[]', 'null', 'true', '"a"', '1e999', '{"email":"a@b.c",}') },
  { weight: 1, arbitrary: hugeString.map((s) => JSON.stringify({ email: s, password: s })) },
);

const body: fc.Arbitrary<FuzzBody> = fc.tuple(bodyText, fc.integer({ min: 0, max: 9 })).map(([text, dice]) => {
  if (text === undefined || dice > 1) return { text, base64: false };
  // Base64 bodies: well-formed (what API Gateway sends for binary content types) or junk.
  return { text: dice === 0 ? Buffer.from(text, 'utf8').toString('base64') : `${text}!*%`, base64: true };
});

const authorization = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'Bearer @@ACCESS@@',
    'bearer   @@ACCESS@@',
    'Bearer @@ACCESS@@ extra',
    'Bearer @@RENEWAL@@',
    'Bearer a.b.c',
    'Bearer ..',
  ),
  someString.map((s) => `Bearer ${s}`),
);

const headers = fc
  .tuple(
    fc.record(
      {
        authorization,
        // Mostly JSON (so bodies reach the flows); the rest must be 415 on a body route.
        'content-type': fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'Application/JSON') },
          {
            weight: 2,
            arbitrary: fc.constantFrom(
              'text/plain',
              'application/x-www-form-urlencoded',
              'multipart/form-data; boundary=x',
              'application/octet-stream',
              'application/json; charset=utf-16',
              '',
            ),
          },
        ),
        host: fc.oneof(fc.domain(), edgeString),
        'x-forwarded-host': fc.oneof(fc.domain(), edgeString),
        'x-forwarded-for': fc.oneof(fc.ipV4(), fc.ipV6(), edgeString),
        'x-forwarded-proto': fc.constantFrom('https', 'http', 'gopher', ''),
        forwarded: fc.oneof(
          fc.domain().map((d) => `host=${d};proto=https`),
          edgeString,
        ),
        'user-agent': someString,
        origin: fc.oneof(fc.webUrl(), edgeString),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(
      fc.string({ minLength: 1 }).map((s) => s.toLowerCase()),
      fc.string(),
      { maxKeys: 3 },
    ),
  )
  .map(([known, extra]) => ({ ...extra, ...known }) as Record<string, string>);

const pathValue = fc.oneof(
  someString,
  fc.string({ minLength: 1 }),
  hugeString.map((s) => s.slice(0, 5000)),
);

const request = fc.record({
  route: fc.constantFrom(...(routes as readonly RouteDefinition[])),
  params: fc.array(pathValue, { minLength: 4, maxLength: 4 }),
  query: fc.dictionary(fc.oneof(fc.constantFrom('limit', 'cursor', 'email'), fc.string()), fc.oneof(someString, fc.integer().map(String)), { maxKeys: 3 }),
  headers,
  body,
  sourceIp: fc.oneof(fc.ipV4(), fc.ipV6()),
});

// ---------------------------------------------------------------------------------------------
// The property
// ---------------------------------------------------------------------------------------------

/** Replaces the placeholders with live values; tokens are minted only when used. */
async function live(text: string): Promise<string> {
  if (!text.includes('@@')) return text;
  let out = text.replaceAll('@@EMAIL@@', EMAIL).replaceAll('@@PASSWORD@@', PASSWORD).replaceAll('@@SPENT@@', spentRenewal);
  if (out.includes('@@ACCESS@@') || out.includes('@@RENEWAL@@')) {
    const pair = await ownerTokens();
    out = out.replaceAll('@@ACCESS@@', pair.accessToken).replaceAll('@@RENEWAL@@', pair.renewalToken);
  }
  return out;
}

/**
 * A fresh token pair of the owner. A fuzzed request may have changed the owner's password or
 * deleted the account (e.g. `PATCH /me` or `DELETE /me` with the right current password); then
 * the store goes back to the state after setup first.
 */
async function ownerTokens() {
  try {
    return await signIn(deps, { email: EMAIL, password: PASSWORD }, { ip: null, userAgent: null });
  } catch {
    restoreBaseline();
    return signIn(deps, { email: EMAIL, password: PASSWORD }, { ip: null, userAgent: null });
  }
}

async function liveRecord(record: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) out[k] = await live(v);
  return out;
}

let sent = 0;
const seen = new Map<string, number>();

function checkResponse(label: string, response: Awaited<ReturnType<Handler>>): void {
  const status = response.statusCode ?? 200;
  seen.set(`${label} → ${status}`, (seen.get(`${label} → ${status}`) ?? 0) + 1);
  const text = typeof response.body === 'string' ? response.body : '';
  assert.ok(status < 500, `${label}: ${status} ${text.slice(0, 300)}`);
  const leak = findLeak(text);
  assert.equal(leak, undefined, `${label}: the body contains ${leak}: ${text.slice(0, 300)}`);
  if (status >= 400) {
    const headers = (response.headers ?? {}) as Record<string, string>;
    assert.equal(headers['content-type'], 'application/problem+json', `${label}: ${status} is not problem+json`);
    const problem = JSON.parse(text) as { code: string; status: number; type: string; title: string };
    assert.ok(KNOWN_CODES.includes(problem.code) && problem.code !== 'internal_error', `${label}: unknown code ${problem.code}`);
    assert.equal(problem.status, status);
    assert.equal(STATUS[problem.code as keyof typeof STATUS], status, `${label}: ${problem.code} with status ${status}`);
    assert.equal(typeof problem.title, 'string');
  }
}

test('every route gets emails of 321 to 100,000 characters in the body, the query and the path: never a 5xx, never stored', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...(routes as readonly RouteDefinition[])), oversizedEmail, fc.boolean(), async (route, email, signedIn) => {
      if (sent % 100 === 0) restoreBaseline();
      sent += 1;
      const params: Record<string, string> = {};
      for (const name of pathParams(route)) params[name] = email;
      const auth: Record<string, string> = signedIn ? { authorization: `Bearer ${(await ownerTokens()).accessToken}` } : {};
      const before = snapshotMaps(deps.store);
      const response = await call(route, {
        params,
        query: { email, cursor: email },
        headers: { 'content-type': 'application/json', ...auth },
        ...(route.body ? { body: JSON.stringify({ email, password: PASSWORD, currentPassword: PASSWORD, renewalToken: email }) } : {}),
      });
      checkResponse(`${routeKey(route)} (oversized email)`, response);
      const after = snapshotMaps(deps.store);
      // A success (e.g. DELETE /me with the right password) may change things; a refusal may not.
      for (const name of (response.statusCode ?? 200) >= 400 ? Object.keys(after) : []) {
        if (name === 'counters') continue; // a refused sign-in counts
        if (name === 'auditEvents') continue; // refusals are audited: events are not changes (audit spec §3.1)
        assert.equal(after[name], before[name], `${routeKey(route)} with a ${email.length}-character email changed the store's ${name}`);
      }
      assert.equal(JSON.stringify(after).includes(email.slice(0, 321)), false, `${routeKey(route)} stored the oversized email`);
    }),
    { seed: SEED, numRuns: Math.max(300, Math.floor(RUNS / 20)) },
  );
});

test('every route, fuzzed: never a 5xx, errors are problem+json with a known code and no internals, a 4xx changes nothing and mails nobody', async (t) => {
  t.diagnostic(`fuzz seed ${SEED} (replay: FUZZ_SEED=${SEED}), ${RUNS} requests over ${routes.length} routes`);
  console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const params: Record<string, string> = {};
      pathParams(r.route).forEach((name, i) => {
        params[name] = r.params[i] ?? 'x';
      });
      const input = {
        params: await liveRecord(params),
        query: await liveRecord(r.query),
        headers: await liveRecord(r.headers),
        ...(r.body.text !== undefined ? { body: r.body.base64 ? r.body.text : await live(r.body.text) } : {}),
        isBase64Encoded: r.body.base64,
        sourceIp: r.sourceIp,
      };
      // Keeps the store small (a snapshot is taken around every request) by going back to the
      // state right after setup every hundred requests.
      if (sent % 100 === 0) restoreBaseline();
      const before = snapshotMaps(stateMaps());
      const mailsBefore = deps.mailer.sent.length;
      const response = await call(r.route, input);
      sent += 1;
      const key = routeKey(r.route);
      checkResponse(key, response);
      const status = response.statusCode ?? 200;
      // A body that is not declared JSON never reaches a flow: 415 (or 413 first, by size).
      const contentType = input.headers['content-type'];
      if (r.route.body && input.body !== undefined && input.body !== '' && contentType !== undefined && !/^application\/json\s*(;.*)?$/i.test(contentType)) {
        assert.ok(status === 413 || status === 415, `${key} took a ${contentType || 'typeless'} body: ${status}`);
      }
      if (status >= 400 && status < 500) {
        const code = (JSON.parse(response.body ?? '{}') as { code: string }).code;
        const allowed = DOCUMENTED_4XX_EFFECTS.find((e) => e.route === key && e.code === code);
        const after = snapshotMaps(stateMaps());
        for (const name of Object.keys({ ...before, ...after })) {
          if (allowed?.maps.includes(name)) continue;
          // Refusals are audited (a sign-in, a 403 on an admin route): events are not changes (audit spec §3.1).
          if (name === 'auditEvents') continue;
          assert.equal(after[name], before[name], `${key} answered ${status} ${code} but changed the store's ${name}`);
        }
        if (!allowed?.mail) assert.equal(deps.mailer.sent.length, mailsBefore, `${key} answered ${status} ${code} but sent mail`);
      }
    }),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );
  t.diagnostic(
    `${sent} requests; answers: ${[...seen]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ')}`,
  );
  assert.ok(sent >= RUNS);
  // Each route was reached, and each answered something other than a plain rejection at least once.
  for (const route of routes)
    assert.ok(
      [...seen.keys()].some((k) => k.startsWith(`${routeKey(route)} →`)),
      `${routeKey(route)} was never fuzzed`,
    );
});

test('unknown paths and methods, fuzzed: 404 or 405 problem+json (or a CORS preflight), never a 5xx', async () => {
  const methods = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', '');
  const path = fc.oneof(
    fc.webPath(),
    fc.constantFrom(...routes.map((r) => r.path)),
    fc.string({ unit: 'binary' }).map((s) => `/${s}`),
    fc.constantFrom('/', '//', '/..', '/%2e%2e/', '/.well-known/', '/me/', '/session/renew/x'),
  );
  await fc.assert(
    fc.asyncProperty(methods, path, headers, async (method, rawPath, h) => {
      const event = { ...routeEvent(findRoute('GET /me'), { headers: h }), routeKey: '$default', rawPath };
      event.requestContext.http.method = method;
      const response = await notFound(event, lambdaContext('not-found'));
      const status = response.statusCode ?? 200;
      if (method === 'OPTIONS' && status === 204) return;
      checkResponse('$default', response);
      assert.ok(status === 404 || status === 405, `$default answered ${status}`);
    }),
    { seed: SEED, numRuns: Math.max(200, Math.floor(RUNS / 10)) },
  );
});
