import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, ValidationError } from '../../shared/domain/errors.js';
import { renewSession, signIn, signOut } from '../../shared/flows/current-session.js';
import { confirmEmail, resendConfirmation } from '../../shared/flows/email-confirmation.js';
import { register } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const request = { ip: '203.0.113.9', userAgent: 'test-agent/1.0' };

async function confirmedUser(deps: MemoryDeps, email = 'ann@example.com') {
  await register(deps, { email, password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, email, 'confirm-email'));
  return email;
}

function code(error: unknown): string {
  return error instanceof AuthError ? error.code : `not an AuthError: ${String(error)}`;
}

describe('registration flow', () => {
  test('stores the canonical address (also as the key) and an argon2id hash, and mails the canonical address', async () => {
    const deps = await memoryDeps();
    await register(deps, { email: ' Ann@Example.com ', password: PASSWORD }, request);
    const user = await deps.store.findUserByEmail('ann@example.com');
    assert.equal(user?.email, 'ann@example.com');
    assert.equal(user?.emailConfirmed, false);
    assert.match(user?.passwordHash ?? '', /^\$argon2id\$/);
    assert.equal(deps.mailer.to('ann@example.com').length, 1);
    assert.equal(deps.mailer.to('Ann@Example.com').length, 0);
  });

  test('all field errors come together in one 422', async () => {
    const deps = await memoryDeps();
    await assert.rejects(register(deps, { email: 'bad', password: 'short', passwordConfirmation: 'x' }, request), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(Object.keys(error.errors).sort(), ['email', 'password', 'passwordConfirmation']);
      return true;
    });
    assert.equal(deps.store.users.size, 0);
    assert.equal(deps.mailer.sent.length, 0);
  });
});

describe('session flows', () => {
  test('sign in records user agent and address; rememberMe picks the longer deadline', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    const short = await signIn(deps, { email, password: PASSWORD }, request);
    const long = await signIn(deps, { email, password: PASSWORD, rememberMe: true }, request);
    const now = Math.floor(deps.clock.now() / 1000);
    const [a, b] = await Promise.all([short, long].map((t) => checkAccessToken(deps, t.accessToken)));
    const sa = await deps.store.getSession(a?.userId ?? '', a?.sessionId ?? '');
    const sb = await deps.store.getSession(b?.userId ?? '', b?.sessionId ?? '');
    assert.equal(sa?.expiresAt, now + 86400);
    assert.equal(sb?.expiresAt, now + 2592000);
    assert.equal(sa?.userAgent, 'test-agent/1.0');
    assert.equal(sa?.ip, '203.0.113.9');
  });

  test('renewal keeps the session id and deadline, never extending it', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    let tokens = await signIn(deps, { email, password: PASSWORD }, request);
    const first = await checkAccessToken(deps, tokens.accessToken);
    const deadline = (await deps.store.getSession(first.userId, first.sessionId))?.expiresAt;
    for (let i = 0; i < 3; i++) {
      deps.clock.advance(3600);
      tokens = await renewSession(deps, { renewalToken: tokens.renewalToken });
    }
    const after = await checkAccessToken(deps, tokens.accessToken);
    assert.equal(after.sessionId, first.sessionId);
    assert.equal((await deps.store.getSession(after.userId, after.sessionId))?.expiresAt, deadline);
    deps.clock.advance(86400);
    await assert.rejects(renewSession(deps, { renewalToken: tokens.renewalToken }), (e) => code(e) === 'unauthorized');
  });

  test('sign out deletes only that session', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    const one = await signIn(deps, { email, password: PASSWORD }, request);
    const two = await signIn(deps, { email, password: PASSWORD }, request);
    await signOut(deps, await checkAccessToken(deps, one.accessToken));
    await assert.rejects(checkAccessToken(deps, one.accessToken), (e) => code(e) === 'unauthorized');
    assert.ok(await checkAccessToken(deps, two.accessToken));
  });

  test('a sign-in racing a revoke-all (epoch bump) leaves no session', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    const user = await deps.store.findUserByEmail(email);
    assert.ok(user);
    // Simulate a lock committed between the sign-in's read and its write.
    const original = deps.hasher.verify.bind(deps.hasher);
    deps.hasher.verify = async (hash, password) => {
      const ok = await original(hash, password);
      await deps.store.commit([{ type: 'updateUser', id: user.id, set: { locked: true }, bumpEpoch: true }]);
      return ok;
    };
    await assert.rejects(signIn(deps, { email, password: PASSWORD }, request), (e) => code(e) === 'account_locked');
    assert.equal((await deps.store.listSessions(user.id)).length, 0);
  });

  test('invited users who have not accepted and users without a password cannot sign in', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    const user = await deps.store.findUserByEmail(email);
    assert.ok(user);
    await deps.store.commit([{ type: 'updateUser', id: user.id, set: { invitationPending: true } }]);
    await assert.rejects(signIn(deps, { email, password: PASSWORD }, request), (e) => code(e) === 'invalid_credentials');
    await deps.store.commit([{ type: 'updateUser', id: user.id, set: { invitationPending: false, passwordHash: null } }]);
    await assert.rejects(signIn(deps, { email, password: PASSWORD }, request), (e) => code(e) === 'invalid_credentials');
  });
});

describe('email confirmation flow', () => {
  test('a pending email change is swapped in by its link, moving the claim', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    const user = await deps.store.findUserByEmail(email);
    assert.ok(user);
    await deps.store.commit([{ type: 'updateUser', id: user.id, set: { unconfirmedEmail: 'New@Example.com' } }]);
    await resendConfirmation(deps, { email }); // confirmed: no mail
    assert.equal(deps.mailer.to(email).length, 1);
    // Issue a confirmation for the pending address the way the PATCH /me flow will.
    const { commitWithMail, prepareConfirmationMail } = await import('../../shared/flows/send-mail.js');
    const { tokenOp, mail } = await prepareConfirmationMail(deps, user, { email: 'New@Example.com' });
    await commitWithMail(deps, [tokenOp], [mail], 'nothing');
    const confirmed = await confirmEmail(deps, lastMailedToken(deps, 'New@Example.com', 'confirm-email'));
    assert.equal(confirmed.email, 'New@Example.com');
    assert.equal(confirmed.unconfirmedEmail, null);
    assert.equal((await deps.store.findUserByEmail('new@example.com'))?.id, user.id);
    assert.equal(await deps.store.findUserByEmail(email), undefined);
  });

  test('a pending address taken meanwhile answers 422 errors.email and changes nothing', async () => {
    const deps = await memoryDeps();
    const email = await confirmedUser(deps);
    const user = await deps.store.findUserByEmail(email);
    assert.ok(user);
    await deps.store.commit([{ type: 'updateUser', id: user.id, set: { unconfirmedEmail: 'taken@example.com' } }]);
    const { commitWithMail, prepareConfirmationMail } = await import('../../shared/flows/send-mail.js');
    const { tokenOp, mail } = await prepareConfirmationMail(deps, user, { email: 'taken@example.com' });
    await commitWithMail(deps, [tokenOp], [mail], 'nothing');
    const token = lastMailedToken(deps, 'taken@example.com', 'confirm-email');
    await confirmedUser(deps, 'taken@example.com');
    await assert.rejects(confirmEmail(deps, token), (e) => e instanceof ValidationError && e.errors.email?.[0] === 'has already been taken');
    assert.equal((await deps.store.getUser(user.id))?.email, email);
    assert.ok(await deps.store.getToken(user.id, 'confirmation'), 'the token was not spent');
  });

  test('an expired confirmation link is invalid_token', async () => {
    const deps = await memoryDeps();
    await register(deps, { email: 'late@example.com', password: PASSWORD }, request);
    deps.clock.advance(deps.config.confirmationTokenTtlSeconds);
    await assert.rejects(confirmEmail(deps, lastMailedToken(deps, 'late@example.com', 'confirm-email')), (e) => code(e) === 'invalid_token');
  });
});
