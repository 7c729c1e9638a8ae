import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { routes } from '../../shared/http/routes.js';
import { anAdmin, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
const GHOST = '00000000-0000-4000-8000-000000000000';
const NEW_PASSWORD = 'another long passphrase';

before(async () => {
  api = await startTestStack({ AUTH_ROLES: 'editor' });
});
after(async () => {
  await api.close();
});

function assertProblem(response: ApiResponse, status: number, code: string) {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status} ${response.text}`);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  assert.equal(response.body.code, code);
}

const adminRoutes = routes.filter((r) => r.auth === 'admin');
const pathOf = (path: string, id: string) => path.replace('{id}', id);
const sampleBody = (method: string) => (method === 'GET' || method === 'DELETE' ? undefined : {});

describe('admin routes: access', () => {
  test('every admin route answers 401 without a token and 403 forbidden to a signed-in non-admin, changing nothing', async () => {
    const user = await seedUser(api);
    const { accessToken } = await signInAs(api, user);
    const before = await api.scan();
    for (const route of adminRoutes) {
      const path = pathOf(route.path, user.id);
      const body = route.body ? sampleBody(route.method) : undefined;
      assertProblem(await api.request(route.method, path, { body }), 401, 'unauthorized');
      assertProblem(await api.request(route.method, path, { body, token: accessToken }), 403, 'forbidden');
    }
    assert.deepEqual(await api.scan(), before);
  });

  test('an admin demoted meanwhile is refused at once, though their token still says admin', async () => {
    const admin = await anAdmin(api);
    assert.equal((await api.request('GET', '/admin/users', { token: admin.token })).status, 200);
    await api.store.commit([{ type: 'updateUser', id: admin.user.id, set: { role: 'user' } }]);
    assert.equal(decodeJwt(admin.token).role, 'admin');
    assertProblem(await api.request('GET', '/admin/users', { token: admin.token }), 403, 'forbidden');
  });

  test('unknown and malformed ids are 404 not_found on every id route', async () => {
    const admin = await anAdmin(api);
    // Not the audit route: it answers for any well-formed id (test/integration/audit-routes.test.ts).
    for (const route of adminRoutes.filter((r) => r.path.includes('{id}') && r.function !== 'audit')) {
      for (const id of [GHOST, 'not-an-id']) {
        const body = route.method === 'PUT' ? { password: NEW_PASSWORD } : route.body ? {} : undefined;
        assertProblem(await api.request(route.method, pathOf(route.path, id), { body, token: admin.token }), 404, 'not_found');
      }
    }
  });

  test('an admin cannot lock, demote or delete their own account (403 forbidden)', async () => {
    const admin = await anAdmin(api);
    const self = `/admin/users/${admin.user.id}`;
    assertProblem(await api.request('POST', `${self}/lock`, { token: admin.token }), 403, 'forbidden');
    assertProblem(await api.request('PATCH', self, { body: { role: 'user' }, token: admin.token }), 403, 'forbidden');
    assertProblem(await api.request('DELETE', self, { token: admin.token }), 403, 'forbidden');
    const stored = await api.store.getUser(admin.user.id);
    assert.deepEqual([stored?.role, stored?.locked], ['admin', false]);
  });
});

describe('admin routes: users', () => {
  test('GET /admin/users pages with an opaque cursor and filters by canonical email', async () => {
    const admin = await anAdmin(api);
    for (let i = 0; i < 3; i++) await seedUser(api);
    await seedUser(api, { email: `#${uniqueEmail('hash#tag')}` }); // `#` also separates the cursor's parts
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
      const page = await api.request('GET', `/admin/users${query}`, { token: admin.token });
      assert.equal(page.status, 200);
      assert.ok(page.body.users.length <= 2);
      for (const user of page.body.users) assert.equal(user.passwordHash, undefined);
      all.push(...page.body.users.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.equal(new Set(all).size, all.length);
    assert.ok(all.includes(admin.user.id));
    const filtered = await api.request('GET', `/admin/users?email=${encodeURIComponent(admin.user.email.toUpperCase())}`, { token: admin.token });
    assert.deepEqual(filtered.body, { users: [filtered.body.users[0]], nextCursor: null });
    assert.equal(filtered.body.users[0].id, admin.user.id);
    const none = await api.request('GET', `/admin/users?email=${encodeURIComponent(uniqueEmail('nobody'))}`, { token: admin.token });
    assert.deepEqual(none.body, { users: [], nextCursor: null });
  });

  test('GET /admin/users with a bad limit or cursor is 422 naming the field', async () => {
    const admin = await anAdmin(api);
    for (const query of ['limit=0', 'limit=101', 'limit=ten']) {
      const response = await api.request('GET', `/admin/users?${query}`, { token: admin.token });
      assertProblem(response, 422, 'validation_failed');
      assert.ok(response.body.errors.limit);
    }
    const response = await api.request('GET', '/admin/users?cursor=garbage!', { token: admin.token });
    assertProblem(response, 422, 'validation_failed');
    assert.ok(response.body.errors.cursor);
  });

  test('POST /admin/users creates a user (201); with a password they sign in, without one they cannot', async () => {
    const admin = await anAdmin(api);
    const email = uniqueEmail('created');
    const created = await api.request('POST', '/admin/users', {
      body: { email, password: SEED_PASSWORD, role: 'editor', emailConfirmed: true },
      token: admin.token,
    });
    assert.equal(created.status, 201);
    assert.deepEqual([created.body.user.email, created.body.user.role, created.body.user.emailConfirmed], [email, 'editor', true]);
    const signIn = await api.request('POST', '/session', { body: { email, password: SEED_PASSWORD } });
    assert.equal(signIn.status, 200);
    assert.equal(decodeJwt(signIn.body.accessToken).role, 'editor');

    const bare = uniqueEmail('bare');
    assert.equal((await api.request('POST', '/admin/users', { body: { email: bare }, token: admin.token })).status, 201);
    assertProblem(await api.request('POST', '/session', { body: { email: bare, password: SEED_PASSWORD } }), 401, 'invalid_credentials');

    assertProblem(await api.request('POST', '/admin/users', { body: { email }, token: admin.token }), 422, 'validation_failed');
    assertProblem(await api.request('POST', '/admin/users', { body: { email: uniqueEmail(), role: 'root' }, token: admin.token }), 422, 'validation_failed');
    assertProblem(await api.request('POST', '/admin/users', { body: { email: uniqueEmail(), emailConfirmed: 'yes' }, token: admin.token }), 400, 'bad_request');
    assertProblem(await api.request('POST', '/admin/users', { token: admin.token }), 400, 'bad_request');
  });

  test('GET /admin/users/{id} shows the user object', async () => {
    const admin = await anAdmin(api);
    const user = await seedUser(api);
    const response = await api.request('GET', `/admin/users/${user.id}`, { token: admin.token });
    assert.equal(response.status, 200);
    assert.deepEqual(Object.keys(response.body.user).sort(), [
      'createdAt',
      'email',
      'emailConfirmed',
      'hasPassword',
      'id',
      'invitedBy',
      'locale',
      'locked',
      'mfaEnabled',
      'role',
      'unconfirmedEmail',
      'updatedAt',
    ]);
  });

  test('PATCH /admin/users/{id}: an email set by an admin applies at once; a role change shows at the next renewal and in the authorizer context', async () => {
    const admin = await anAdmin(api);
    const user = await seedUser(api);
    const tokens = await signInAs(api, user);
    const email = uniqueEmail('moved');
    const patched = await api.request('PATCH', `/admin/users/${user.id}`, { body: { email, role: 'editor' }, token: admin.token });
    assert.equal(patched.status, 200);
    assert.deepEqual([patched.body.user.email, patched.body.user.role], [email, 'editor']);
    assertProblem(await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } }), 401, 'invalid_credentials');
    assert.equal((await api.request('POST', '/session', { body: { email, password: SEED_PASSWORD } })).status, 200);

    const renewed = await api.request('POST', '/session/renew', { body: { renewalToken: tokens.renewalToken } });
    assert.equal(decodeJwt(renewed.body.accessToken).role, 'editor');
    const context = await api.request('GET', '/_local/protected', { headers: { authorization: `Bearer ${renewed.body.accessToken}` } });
    assert.equal(context.status, 200);
    assert.equal(context.body.authorizer.lambda.role, 'editor');

    assertProblem(await api.request('PATCH', `/admin/users/${user.id}`, { body: { email: admin.user.email }, token: admin.token }), 422, 'validation_failed');
  });

  test('PUT /admin/users/{id}/password: 204, the new password works, every session is revoked', async () => {
    const admin = await anAdmin(api);
    const user = await seedUser(api);
    const tokens = await signInAs(api, user);
    const response = await api.request('PUT', `/admin/users/${user.id}/password`, { body: { password: NEW_PASSWORD }, token: admin.token });
    assert.equal(response.status, 204);
    assertProblem(await api.request('GET', '/me', { token: tokens.accessToken }), 401, 'unauthorized');
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: tokens.renewalToken } }), 401, 'unauthorized');
    assertProblem(await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } }), 401, 'invalid_credentials');
    assert.equal((await api.request('POST', '/session', { body: { email: user.email, password: NEW_PASSWORD } })).status, 200);
    assertProblem(await api.request('PUT', `/admin/users/${user.id}/password`, { body: { password: 'short' }, token: admin.token }), 422, 'validation_failed');
  });

  test('DELETE /admin/users/{id}: 204; the user, its claim, sessions and tokens are gone; the email can register again', async () => {
    const admin = await anAdmin(api);
    const user = await seedUser(api);
    const tokens = await signInAs(api, user);
    assert.equal((await api.request('DELETE', `/admin/users/${user.id}`, { token: admin.token })).status, 204);
    const left = (await api.scan()).filter((item) => item.pk === `USER#${user.id}` || item.pk === `EMAIL#${user.emailCanonical}`);
    assert.deepEqual(left, []);
    assertProblem(await api.request('GET', '/me', { token: tokens.accessToken }), 401, 'unauthorized');
    assertProblem(await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } }), 401, 'invalid_credentials');
    assert.equal((await api.request('POST', '/registration', { body: { email: user.email, password: SEED_PASSWORD } })).status, 202);
  });
});

describe('locks', () => {
  test('a lock revokes every session: access tokens refused (own routes and the authorizer), renewal 403 account_locked', async () => {
    const admin = await anAdmin(api);
    const user = await seedUser(api);
    const [a, b] = [await signInAs(api, user), await signInAs(api, user)];
    const locked = await api.request('POST', `/admin/users/${user.id}/lock`, { token: admin.token });
    assert.equal(locked.status, 200);
    assert.equal(locked.body.user.locked, true);
    for (const tokens of [a, b]) {
      assertProblem(await api.request('GET', '/me', { token: tokens.accessToken }), 401, 'unauthorized');
      assert.equal((await api.request('GET', '/_local/protected', { headers: { authorization: `Bearer ${tokens.accessToken}` } })).status, 403);
      const renewal = await api.request('POST', '/session/renew', { body: { renewalToken: tokens.renewalToken } });
      assertProblem(renewal, 403, 'account_locked');
    }
    assert.deepEqual(await api.store.listSessions(user.id), []);
  });

  test('a locked user with the right password gets 403 account_locked ("Sorry, your account is locked."); with a wrong one the generic 401', async () => {
    const admin = await anAdmin(api);
    const user = await seedUser(api);
    await api.request('POST', `/admin/users/${user.id}/lock`, { token: admin.token });
    const right = await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } });
    assertProblem(right, 403, 'account_locked');
    assert.equal(right.body.detail, 'Sorry, your account is locked.');
    const wrong = await api.request('POST', '/session', { body: { email: user.email, password: 'not the password at all' } });
    assertProblem(wrong, 401, 'invalid_credentials');
    const unknown = await api.request('POST', '/session', { body: { email: uniqueEmail('ghost'), password: 'not the password at all' } });
    assert.deepEqual(wrong.body, unknown.body);
  });

  test('unlock restores sign-in; sessions revoked by the lock stay revoked', async () => {
    const admin = await anAdmin(api);
    const user = await seedUser(api);
    const tokens = await signInAs(api, user);
    await api.request('POST', `/admin/users/${user.id}/lock`, { token: admin.token });
    const unlocked = await api.request('POST', `/admin/users/${user.id}/unlock`, { token: admin.token });
    assert.equal(unlocked.status, 200);
    assert.equal(unlocked.body.user.locked, false);
    assertProblem(await api.request('POST', '/session/renew', { body: { renewalToken: tokens.renewalToken } }), 401, 'unauthorized');
    assertProblem(await api.request('GET', '/me', { token: tokens.accessToken }), 401, 'unauthorized');
    assert.equal((await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } })).status, 200);
  });

  test('a locked admin loses the admin API at once', async () => {
    const first = await anAdmin(api);
    const second = await anAdmin(api);
    assert.equal((await api.request('POST', `/admin/users/${second.user.id}/lock`, { token: first.token })).status, 200);
    assertProblem(await api.request('GET', '/admin/users', { token: second.token }), 401, 'unauthorized');
    await api.store.commit([{ type: 'updateUser', id: second.user.id, set: { locked: false } }]);
  });
});
