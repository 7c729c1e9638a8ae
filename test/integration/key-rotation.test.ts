/**
 * Signing-key rotation end to end on the local stack (`docs/key-rotation.md`): the real
 * `latch keys` CLI rotates the ring file the local functions read, and tokens signed before,
 * during and after a rotation verify as the runbook says, on Latch's own routes (`GET /me`), the
 * authorizer and the JWKS. The functions read the ring on every use here
 * (`AUTH_KEY_RING_TTL_SECONDS=0`), so "once every function has read it" is at once.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { authorizerAllows, PASSWORD, signedInUser, signIn } from '../support/accounts.js';
import { runLatchCli } from '../support/cli.js';
import { testServices } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
let dir: string;
let email: string;

before(async () => {
  api = await startTestStack({ AUTH_KEY_RING_TTL_SECONDS: '0', AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
  // The CLI finds the local stack as `npm start` records it.
  dir = mkdtempSync(path.join(tmpdir(), 'latch-keys-'));
  mkdirSync(path.join(dir, '.latch'));
  const state = {
    pid: process.pid,
    apiUrl: api.url,
    dynamoDbEndpoint: testServices().dynamoDbEndpoint,
    tableName: api.tableName,
    signingKeysFile: process.env.LATCH_SIGNING_KEYS_FILE,
  };
  writeFileSync(path.join(dir, '.latch', 'local.json'), JSON.stringify(state));
  email = (await signedInUser(api, { label: 'rotation' })).email;
});
after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

const latch = (...args: string[]) => runLatchCli(args, { cwd: dir, env: { AUTH_KEY_RING_TTL_SECONDS: '0' } });
const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid;
const jwksKids = async () => ((await api.request('GET', '/.well-known/jwks.json')).body.keys as Array<{ kid: string; d?: string }>).map((k) => k.kid);
const statusOf = async () => {
  const run = await latch('keys', 'status', '--json');
  assert.equal(run.code, 0, run.stderr);
  return Object.fromEntries((run.json.keys as Array<{ kid: string; status: string }>).map((k) => [k.kid, k.status]));
};

/** Whether a token is accepted by Latch's own routes and by the authorizer (they must agree). */
async function accepted(token: string): Promise<boolean> {
  const me = (await api.request('GET', '/me', { token })).status;
  assert.ok(me === 200 || me === 401, `GET /me answered ${me}`);
  const authorizer = await authorizerAllows(api, token);
  assert.equal(authorizer, me === 200, 'the authorizer and GET /me disagree');
  return me === 200;
}

const freshToken = async () => (await signIn(api, email, { password: PASSWORD })).accessToken;

test('key rotation: tokens signed before, during and after a rotation verify; a retired key’s tokens are refused', async () => {
  const before = await freshToken();
  const oldKid = kidOf(before);
  assert.deepEqual(await statusOf(), { [oldKid]: 'current' });
  assert.ok(await accepted(before));

  // Step 1: stage. The new key is published (and verifies) but signs nothing yet.
  const rotate = await latch('keys', 'rotate', '--json');
  assert.equal(rotate.code, 0, rotate.stderr);
  const newKid = rotate.json.staged as string;
  assert.deepEqual(await statusOf(), { [oldKid]: 'current', [newKid]: 'next' });
  assert.deepEqual(await jwksKids(), [oldKid, newKid]);
  const during = await freshToken();
  assert.equal(kidOf(during), oldKid, 'a staged key signs nothing');
  assert.ok(await accepted(before));
  assert.ok(await accepted(during));
  // Staging twice is refused.
  assert.equal((await latch('keys', 'rotate')).code, 1);

  // Step 2: promote. The new key signs; the old one still verifies.
  const promote = await latch('keys', 'promote', '--json');
  assert.equal(promote.code, 0, promote.stderr);
  assert.deepEqual(await statusOf(), { [newKid]: 'current', [oldKid]: 'previous' });
  const afterPromotion = await freshToken();
  assert.equal(kidOf(afterPromotion), newKid);
  for (const token of [before, during, afterPromotion]) assert.ok(await accepted(token));

  // Step 3: retiring before the old key's tokens expired is refused, and changes nothing.
  const early = await latch('keys', 'retire');
  assert.equal(early.code, 1);
  assert.match(early.stderr, /No previous key can retire yet/);
  assert.ok(await accepted(before));
  // Forced (as after the access-token lifetime): the old key's tokens are refused, the new key's are not.
  const retire = await latch('keys', 'retire', oldKid, '--force', '--json');
  assert.equal(retire.code, 0, retire.stderr);
  assert.deepEqual(retire.json.retired, [oldKid]);
  assert.deepEqual(await jwksKids(), [newKid]);
  assert.equal(await accepted(before), false);
  assert.equal(await accepted(during), false);
  assert.ok(await accepted(afterPromotion));
});

test('key rotation: a compromised current key is revoked at once: its tokens are refused, a fresh key signs', async () => {
  const token = await freshToken();
  const compromised = kidOf(token);
  assert.ok(await accepted(token));
  const revoke = await latch('keys', 'revoke', compromised, '--json');
  assert.equal(revoke.code, 0, revoke.stderr);
  const replacement = revoke.json.promoted as string;
  assert.notEqual(replacement, compromised);
  assert.deepEqual(await statusOf(), { [replacement]: 'current' });
  assert.deepEqual(await jwksKids(), [replacement]);
  assert.equal(await accepted(token), false);
  const next = await freshToken();
  assert.equal(kidOf(next), replacement);
  assert.ok(await accepted(next));
  // Revoking the last key would leave nothing to sign with: the CLI replaces it, never empties the ring.
  assert.equal((await latch('keys', 'revoke', 'no-such-kid')).code, 1);
});
