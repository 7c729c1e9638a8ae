/**
 * Property: a role change applies to the user's live sessions at once. The authorizer makes one
 * read (the session item), so the role change updates every live session item in the same
 * transaction as the user; Latch's own routes and the authorizer context see the new role on
 * the very next call, via the admin route and via the CLI alike. A sign-in racing with the role
 * change never leaves a session with the old role.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeJwt } from 'jose';
import { anAdmin, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { testServices } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let api: TestStack;
let emptyDir: string;

before(async () => {
  // Many sign-ins of one account at once are the point here, not brute force.
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '1000' });
  emptyDir = mkdtempSync(path.join(tmpdir(), 'latch-role-'));
});
after(async () => {
  await api.close();
  rmSync(emptyDir, { recursive: true, force: true });
});

/** The role the authorizer passes to backends for this token, or null when it denies. */
async function authorizerRole(accessToken: string): Promise<string | null> {
  const response = await api.request('GET', '/_local/protected', { token: accessToken });
  if (response.status === 403) return null;
  assert.equal(response.status, 200, response.text);
  return response.body.authorizer.lambda.role;
}

/** Runs the real `latch` CLI against the test table. */
function latch(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'bin', 'latch.js'), ...args, '--table', api.tableName, '--endpoint', testServices().dynamoDbEndpoint],
      {
        cwd: emptyDir,
        env: process.env,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

async function assertDemotedEverywhere(userId: string, tokens: { accessToken: string }[]): Promise<void> {
  for (const { accessToken } of tokens) {
    // The next call, no renewal in between: the authorizer context carries the new role...
    assert.equal(await authorizerRole(accessToken), 'user');
    // ...Latch's admin routes refuse, and the session itself lives on.
    const list = await api.request('GET', '/admin/users', { token: accessToken });
    assert.equal(list.status, 403);
    assert.equal(list.body.code, 'forbidden');
    assert.equal((await api.request('GET', '/me', { token: accessToken })).status, 200);
  }
  assert.deepEqual(
    (await api.store.listSessions(userId)).map((s) => s.role),
    tokens.map(() => 'user'),
  );
}

test('a demotion through the admin route applies to every live session at once (authorizer context and /admin/*)', async () => {
  const admin = await anAdmin(api);
  const target = await seedUser(api, { role: 'admin' });
  const tokens = [await signInAs(api, target), await signInAs(api, target), await signInAs(api, target)];
  for (const { accessToken } of tokens) {
    assert.equal(await authorizerRole(accessToken), 'admin');
    assert.equal((await api.request('GET', '/admin/users', { token: accessToken })).status, 200);
  }

  const demoted = await api.request('PATCH', `/admin/users/${target.id}`, { token: admin.token, body: { role: 'user' } });
  assert.equal(demoted.status, 200, demoted.text);
  await assertDemotedEverywhere(target.id, tokens);

  // And back: a promotion reaches the live sessions just as fast.
  assert.equal((await api.request('PATCH', `/admin/users/${target.id}`, { token: admin.token, body: { role: 'admin' } })).status, 200);
  for (const { accessToken } of tokens) {
    assert.equal(await authorizerRole(accessToken), 'admin');
    assert.equal((await api.request('GET', '/admin/users', { token: accessToken })).status, 200);
  }
});

test('a demotion through the CLI (latch users set-role) applies to every live session at once', async () => {
  const target = await seedUser(api, { role: 'admin' });
  const tokens = [await signInAs(api, target), await signInAs(api, target)];
  assert.equal(await authorizerRole(tokens[0]?.accessToken ?? ''), 'admin');
  const run = await latch(['users', 'set-role', '--email', target.email, '--role', 'user']);
  assert.equal(run.code, 0, run.stderr);
  await assertDemotedEverywhere(target.id, tokens);
});

test('a demotion racing with 12 sign-ins of the same user never leaves a session with the old role', async (t) => {
  const admin = await anAdmin(api);
  let before = 0;
  let afterwards = 0;
  const ROUNDS = 3;
  for (let round = 0; round < ROUNDS; round++) {
    const target = await seedUser(api, { role: 'admin' });
    // The demotion is sent just before the sign-ins, or when the 1st or 6th of them answers: no
    // sleeps, and sign-ins are still reading and writing around it either way.
    const trigger = [0, 1, 6][round] ?? 0;
    let answered = 0;
    let demotion: Promise<ApiResponse> | undefined;
    const demote = () => api.request('PATCH', `/admin/users/${target.id}`, { token: admin.token, body: { role: 'user' } });
    if (trigger === 0) demotion = demote();
    const signIns = Array.from({ length: 12 }, () =>
      api.request('POST', '/session', { body: { email: target.email, password: SEED_PASSWORD } }).then((response) => {
        answered += 1;
        if (answered === trigger) demotion = demote();
        return response;
      }),
    );
    const responses = await Promise.all(signIns);
    assert.ok(demotion);
    const demoted = await demotion;
    assert.equal(demoted.status, 200, demoted.text);

    for (const response of responses) {
      assert.equal(response.status, 200, response.text);
      // The role the sign-in saw when it made its tokens tells which side of the demotion it was on.
      if (decodeJwt(response.body.accessToken).role === 'admin') before += 1;
      else afterwards += 1;
      // Whatever side: the session's role is the new one from now on.
      assert.equal(await authorizerRole(response.body.accessToken), 'user');
      assert.equal((await api.request('GET', '/admin/users', { token: response.body.accessToken })).status, 403);
    }
    const sessions = await api.store.listSessions(target.id);
    assert.equal(sessions.length, 12);
    assert.deepEqual(
      sessions.filter((s) => s.role !== 'user'),
      [],
    );
  }
  t.diagnostic(`${before} sign-ins made their tokens before the demotion, ${afterwards} after it`);
  // Both orders happened: sessions created before the demotion (updated by it) and after it.
  assert.ok(before > 0, 'no sign-in made its tokens before the demotion');
  assert.ok(afterwards > 0, 'no sign-in made its tokens after the demotion');
});
