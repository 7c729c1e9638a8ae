/**
 * Passkeys through the local runner (`docs/specs/mfa-and-passkeys.md` §7): registration after
 * step-up, list, rename, remove, passwordless sign-in, `DELETE /me/password`, with the software
 * authenticator, on DynamoDB Local.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { LatchClient, LatchProblemError } from '../../client/index.js';
import { assertProblem, SEED_PASSWORD, seedUser, sidOf, signInAs } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { addPasskey, anAuthenticator, registrationOptions, signInWithPasskey, userWithPasskey } from '../support/passkeys.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: '50' });
});
after(async () => {
  await api.close();
});

test('a signed-in user registers a passkey: options as the spec says, 201 with recovery codes as the first factor, a notice', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const options = await registrationOptions(api, accessToken);
  assert.equal(options.status, 200, JSON.stringify(options.body));
  const o = options.body.options;
  assert.equal(o.rp.id, 'localhost');
  assert.equal(o.attestation, 'none');
  assert.equal(o.authenticatorSelection.residentKey, 'preferred');
  assert.deepEqual(o.extensions, { credProps: true });
  assert.equal(Buffer.from(o.user.id, 'base64url').toString('utf8'), user.id);
  assert.equal(o.user.name, user.email);
  assert.deepEqual(o.excludeCredentials, []);
  const authenticator = anAuthenticator();
  const added = await api.request('POST', '/me/passkeys', { token: accessToken, body: { credential: authenticator.register(o), name: 'Laptop' } });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal(added.body.passkey.id, authenticator.credentialId);
  assert.equal(added.body.passkey.name, 'Laptop');
  assert.equal(added.body.passkey.discoverable, true);
  assert.equal(added.body.passkey.disabled, false);
  assert.equal(added.body.recoveryCodes.length, 10);
  const mfa = await api.request('GET', '/me/mfa', { token: accessToken });
  assert.equal(mfa.body.mfa.enabled, true);
  assert.equal(mfa.body.mfa.passkeys, 1);
  const session = await api.store.getSession(user.id, sidOf(accessToken));
  assert.deepEqual(session?.amr, ['pwd', 'hwk', 'mfa']);
  const subjects = (await mailsTo(user.email)).map((m) => m.subject);
  assert.ok(subjects.includes('A passkey was added'), subjects.join());
  // The next options exclude it.
  const again = await registrationOptions(api, accessToken);
  assert.deepEqual(
    again.body.options.excludeCredentials.map((c: { id: string }) => c.id),
    [authenticator.credentialId],
  );
});

test('passwordless sign-in: a token pair, amr hwk (swk for a synced passkey), the counter and lastUsedAt move', async () => {
  const { user, authenticator } = await userWithPasskey(api);
  const signedIn = await signInWithPasskey(api, authenticator);
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  assert.equal(signedIn.body.user.id, user.id);
  assert.deepEqual((await api.store.getSession(user.id, sidOf(signedIn.body.accessToken)))?.amr, ['hwk', 'mfa']);
  const passkey = await api.store.getPasskey(user.id, authenticator.credentialId);
  assert.equal(passkey?.counter, 1);
  assert.ok(passkey?.lastUsedAt);

  const synced = await userWithPasskey(api, { synced: true });
  for (let i = 0; i < 2; i++) {
    const answer = await signInWithPasskey(api, synced.authenticator);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual((await api.store.getSession(synced.user.id, sidOf(answer.body.accessToken)))?.amr, ['swk', 'mfa']);
  }
});

test('list, rename (422 on a blank or long name, 404 on an unknown id), remove with step-up', async () => {
  const { user, accessToken, authenticator } = await userWithPasskey(api);
  const list = await api.request('GET', '/me/passkeys', { token: accessToken });
  assert.equal(list.status, 200);
  assert.equal(list.body.passkeys.length, 1);
  assert.equal(list.body.passkeys[0].name, 'Passkey');
  const path = `/me/passkeys/${authenticator.credentialId}`;
  const renamed = await api.request('PATCH', path, { token: accessToken, body: { name: ' Phone ' } });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  assert.equal(renamed.body.passkey.name, 'Phone');
  assertProblem(await api.request('PATCH', path, { token: accessToken, body: { name: ' ' } }), 422, 'validation_failed');
  assertProblem(await api.request('PATCH', path, { token: accessToken, body: { name: 'x'.repeat(65) } }), 422, 'validation_failed');
  assertProblem(await api.request('PATCH', '/me/passkeys/AAAA', { token: accessToken, body: { name: 'x' } }), 404, 'not_found');
  // Removal with the password and a recovery code (the body's credentials; an MFA user needs the code).
  const second = anAuthenticator();
  assert.equal((await addPasskey(api, accessToken, second)).status, 201);
  const removed = await api.request('DELETE', path, { token: accessToken, body: {} });
  assert.equal(removed.status, 204, JSON.stringify(removed.body));
  const left = await api.request('GET', '/me/passkeys', { token: accessToken });
  assert.deepEqual(
    left.body.passkeys.map((p: { id: string }) => p.id),
    [second.credentialId],
  );
  assert.equal((await api.store.getUser(user.id))?.passkeyCount, 1);
  // Its claim is gone: the credential registers again.
  assert.equal((await addPasskey(api, accessToken, authenticator)).status, 201);
});

test('DELETE /me/password: refused while it is the only way in, then the user goes passwordless and signs in with the passkey', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  assertProblem(await api.request('DELETE', '/me/password', { token: accessToken, body: {} }), 409, 'last_sign_in_method');
  const authenticator = anAuthenticator();
  assert.equal((await addPasskey(api, accessToken, authenticator)).status, 201);
  const removed = await api.request('DELETE', '/me/password', { token: accessToken, body: {} });
  assert.equal(removed.status, 204, JSON.stringify(removed.body));
  const fresh = await api.store.getUser(user.id);
  assert.equal(fresh?.passwordHash, null);
  assert.equal(fresh?.signInMethods, 1);
  assertProblem(await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } }), 401, 'invalid_credentials');
  assert.equal((await signInWithPasskey(api, authenticator)).status, 200);
  // The passkey is now the last way in.
  assertProblem(await api.request('DELETE', `/me/passkeys/${authenticator.credentialId}`, { token: accessToken, body: {} }), 409, 'last_sign_in_method');
  assertProblem(await api.request('DELETE', '/me/password', { token: accessToken, body: {} }), 404, 'not_found');
});

test('registration needs fresh authentication or credentials; AUTH_WEBAUTHN_MAX_PASSKEYS caps', async () => {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const withPassword = await registrationOptions(api, accessToken, { currentPassword: 'wrong password here' });
  assertProblem(withPassword, 422, 'validation_failed');
  assert.equal((await registrationOptions(api, accessToken, { currentPassword: SEED_PASSWORD })).status, 200);
});

test('the typed client: passkeys.registrationOptions/register/list/rename/remove, passkeySignInOptions and signInWithPasskey', async () => {
  const user = await seedUser(api);
  const client = new LatchClient({ baseUrl: api.url });
  await client.signIn({ email: user.email, password: SEED_PASSWORD });
  const authenticator = anAuthenticator();
  const { options } = await client.passkeys.registrationOptions();
  const { passkey, recoveryCodes } = await client.passkeys.register(authenticator.register(options as never), 'Laptop');
  assert.equal(passkey.name, 'Laptop');
  assert.equal(recoveryCodes?.length, 10);
  assert.equal((await client.passkeys.rename(passkey.id, 'Work laptop')).name, 'Work laptop');
  assert.deepEqual(
    (await client.passkeys.list()).map((p) => p.name),
    ['Work laptop'],
  );
  const other = new LatchClient({ baseUrl: api.url });
  const signInOptions = await other.passkeySignInOptions();
  const tokens = await other.signInWithPasskey(authenticator.assert(signInOptions.options as never));
  assert.equal(tokens.user.id, user.id);
  assert.equal((await other.me()).id, user.id);
  // The password is the only way in once the passkey is gone: removing the password then is refused.
  await client.passkeys.remove(passkey.id);
  assert.deepEqual(await client.passkeys.list(), []);
  await assert.rejects(client.removePassword(), (error: unknown) => error instanceof LatchProblemError && error.code === 'last_sign_in_method');
});
