/**
 * Property: oversized identifiers never reach the store. An email over 320 characters is
 * malformed (`422` with `errors.email`; at sign-in the generic `401 invalid_credentials` after
 * the same dummy hashing as an unknown email), and no oversized email, token or id ever becomes
 * a DynamoDB key: on DynamoDB Local (which rejects keys over 2048/1024 bytes as AWS does),
 * every route answers a 4xx for every length from 321 to 100,000, never a 5xx, and the table
 * holds none of it afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signIn } from '../../shared/flows/current-session.js';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { anAdmin, assertProblem, PASSWORD, signedInUser } from '../support/accounts.js';
import { CountingHasher, memoryDeps } from '../support/memory.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  // Every refused sign-in counts against this test's one source address: room for all of them.
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '1000' });
});
after(async () => {
  await api.close();
});

const LENGTHS = [321, 400, 1025, 2049, 4096, 10_000, 65_000, 100_000];
const MARKER = 'q7oversized';

/** A well-formed-looking address of exactly `length` characters (some multi-byte ones too). */
function longEmail(length: number, unit = 'a'): string {
  const domain = '@example.com';
  const local = `${MARKER}${unit.repeat(length)}`.slice(0, length - domain.length);
  return `${local}${domain}`;
}

const EMAIL_ROUTES = [
  'POST /registration',
  'POST /email-confirmation/resend',
  'POST /password-reset',
  'POST /invitations',
  'POST /admin/users',
  'PATCH /admin/users/{id}',
  'PATCH /me',
];

test('an email over 320 characters is 422 errors.email on every route that takes one (401 invalid_credentials at sign-in)', async () => {
  const admin = await anAdmin(api);
  const user = await signedInUser(api, { label: 'oversized' });
  const before = await api.scan();
  for (const length of [321, 1000, 2049, 10_000, 60_000]) {
    for (const unit of ['a', 'é', '𝔘']) {
      const email = longEmail(length, unit);
      assert.ok(email.length > 320);
      for (const key of EMAIL_ROUTES) {
        const [method, path] = key.split(' ') as [string, string];
        const token = key.includes('admin') ? admin.token : key === 'PATCH /me' || key === 'POST /invitations' ? user.accessToken : undefined;
        const body = { email, ...(key === 'PATCH /me' ? { currentPassword: PASSWORD } : {}), ...(key === 'POST /registration' ? { password: PASSWORD } : {}) };
        const response = await api.request(method, path.replace('{id}', user.userId), { token, body });
        if (Buffer.byteLength(JSON.stringify(body)) > 65536) {
          assertProblem(response, 413, 'payload_too_large');
          continue;
        }
        assertProblem(response, 422, 'validation_failed');
        assert.ok(response.body.errors.email, `${key}: ${response.text}`);
      }
      const session = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
      if (session.status !== 413) assertProblem(session, 401, 'invalid_credentials');
    }
  }
  // Nothing changed but the failure counters of the refused sign-ins (hashed scopes, no email).
  const changed = (await api.scan()).filter((item) => !String(item.pk).startsWith('COUNTER#'));
  assert.deepEqual(
    changed,
    before.filter((item) => !String(item.pk).startsWith('COUNTER#')),
  );
});

test('every route, every length from 321 to 100,000 in every email, token, id, query and path slot: never a 5xx, nothing stored', async () => {
  const admin = await anAdmin(api);
  const user = await signedInUser(api, { label: 'oversized-all' });
  let sent = 0;
  const statuses = new Map<string, number>();
  for (const length of LENGTHS) {
    const value = longEmail(length);
    for (const route of routes as readonly RouteDefinition[]) {
      const path = route.path.replace(/\{[A-Za-z]+\}/g, encodeURIComponent(value));
      const query = route.method === 'GET' ? `?email=${encodeURIComponent(value)}&cursor=${encodeURIComponent(value)}&limit=1` : '';
      const token = route.auth === 'admin' ? admin.token : route.auth === 'user' ? user.accessToken : undefined;
      const body = route.body
        ? { email: value, password: value, currentPassword: value, passwordConfirmation: value, renewalToken: value, role: value, token: value }
        : undefined;
      let status: number;
      try {
        status = (await api.request(route.method, `${path}${query}`, { token, body })).status;
      } catch (error) {
        // A URL far over Node's header limit may be refused by the local server before any route
        // runs (431, or the connection reset): that is not an answer of Latch's.
        if (length >= 10_000) continue;
        throw error;
      }
      sent += 1;
      assert.ok(status < 500, `${routeKey(route)} with ${length} characters answered ${status}`);
      statuses.set(`${status}`, (statuses.get(`${status}`) ?? 0) + 1);
    }
  }
  assert.ok(sent >= routes.length * 4, `only ${sent} requests were answered`);
  const stored = JSON.stringify(await api.scan());
  assert.equal(stored.includes(MARKER), false, 'an oversized value reached the table');
});

test('an admin listing cursor that decodes to an oversized key is 422 errors.cursor, never a store read', async () => {
  const admin = await anAdmin(api);
  for (const length of [321, 1000, 1030]) {
    const cursor = Buffer.from(`${longEmail(length)}#${admin.user.id}`, 'utf8').toString('base64url');
    const response = await api.request('GET', `/admin/users?cursor=${cursor}`, { token: admin.token });
    if (length === 321) assert.equal(response.status, 200, response.text);
    else {
      assertProblem(response, 422, 'validation_failed');
      assert.ok(response.body.errors.cursor);
    }
  }
});

test('sign-in with an oversized email does the dummy hashing of an unknown email, then 401', async () => {
  const deps = await memoryDeps();
  const hasher = deps.hasher as CountingHasher;
  for (const email of ['nobody@example.com', longEmail(321), longEmail(2048), longEmail(100_000)]) {
    const before = hasher.verifies;
    await assert.rejects(
      signIn(deps, { email, password: PASSWORD }, { ip: '203.0.113.9', userAgent: null }),
      (error: { code?: string }) => error.code === 'invalid_credentials',
    );
    assert.equal(hasher.verifies - before, 1, `${email.length} characters: one dummy verification`);
  }
});
