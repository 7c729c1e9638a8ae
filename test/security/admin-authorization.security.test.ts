import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt } from 'jose';
import { routes } from '../../shared/http/routes.js';
import { anAdmin, seedUser, signInAs } from '../support/accounts.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

const adminRoutes = routes.filter((r) => r.auth === 'admin');
const bodyFor = (method: string, path: string) =>
  path.endsWith('/password')
    ? { password: 'a perfectly fine passphrase' }
    : method === 'POST' && path === '/admin/users'
      ? { email: 'x@example.com' }
      : method === 'PATCH'
        ? { role: 'admin' }
        : undefined;

test('every admin route is marked auth admin in the route table', () => {
  const paths = routes.filter((r) => r.path.startsWith('/admin'));
  assert.ok(paths.length >= 8);
  for (const route of paths) assert.equal(route.auth, 'admin', `${route.method} ${route.path}`);
});

test('a demoted admin whose token still says admin is refused by every admin route, and nothing changes', async () => {
  const admin = await anAdmin(api);
  const victim = await seedUser(api);
  await api.store.commit([{ type: 'updateUser', id: admin.user.id, set: { role: 'user' } }]);
  assert.equal(decodeJwt(admin.token).role, 'admin');
  const before = await api.scan();
  for (const route of adminRoutes) {
    const path = route.path.replace('{id}', victim.id);
    const response = await api.request(route.method, path, { token: admin.token, body: route.body ? bodyFor(route.method, route.path) : undefined });
    assert.equal(response.status, 403, `${route.method} ${route.path}: ${response.text}`);
    assert.equal(response.body.code, 'forbidden');
  }
  assert.deepEqual(await api.scan(), before);
});

test('a non-admin cannot promote themself through the admin API', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const response = await api.request('PATCH', `/admin/users/${user.id}`, { token: accessToken, body: { role: 'admin' } });
  assert.equal(response.status, 403);
  assert.equal((await api.store.getUser(user.id))?.role, 'user');
});

test('admin answers never contain a password hash', async () => {
  const admin = await anAdmin(api);
  const user = await seedUser(api);
  const texts = [
    (await api.request('GET', '/admin/users?limit=100', { token: admin.token })).text,
    (await api.request('GET', `/admin/users/${user.id}`, { token: admin.token })).text,
    (await api.request('POST', `/admin/users/${user.id}/lock`, { token: admin.token })).text,
    (await api.request('POST', `/admin/users/${user.id}/unlock`, { token: admin.token })).text,
    (await api.request('PATCH', `/admin/users/${user.id}`, { token: admin.token, body: { emailConfirmed: true } })).text,
  ];
  for (const text of texts) {
    assert.ok(!/passwordHash|\$argon2/.test(text), text);
    assert.ok(!/sessionEpoch|sessionSeq|invitationPending/.test(text), text);
  }
});
