import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  decodeJwtClaims,
  type Invitation,
  LatchClient,
  type LatchClientOptions,
  LatchProblemError,
  MemoryTokenStorage,
  type Session,
  type StoredTokens,
  type TokenEmail,
  type TokenPair,
  type User,
} from '../../client/index.js';
import { responseSchemas } from '../../shared/http/response-schemas.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The typed client's account methods against the local stack (DynamoDB Local + local SES):
 * `updateMe`, `deleteMe`, `sessions`, `revokeSession`, `signOutEverywhere`, the password reset
 * and the invitation methods. Access tokens live 300 s and each client runs on a clock of its
 * own that stands still until a test moves it, so a renewal happens exactly when a test asks for
 * one (by moving the clock past `renewBeforeSeconds`), never because the machine was slow.
 *
 * Each answer is also checked against the contract's response schemas
 * (`shared/http/response-schemas.ts`) and its members against the client's own types, so the
 * client's types cannot drift from what the server sends.
 */

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';
const ACCESS_TTL_SECONDS = 300;
const RENEW_BEFORE_SECONDS = 60;
/** Moving a client's clock this far makes its next authenticated call renew first. */
const INTO_RENEWAL_WINDOW_MS = (ACCESS_TTL_SECONDS - RENEW_BEFORE_SECONDS + 1) * 1000;

let api: TestStack;

before(async () => {
  api = await startTestStack({ AUTH_ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL_SECONDS), APP_URL: 'https://app.example.test' });
});
after(async () => {
  await api.close();
});

/** A client with recorded requests, recorded session ends and a clock of its own. */
function device(options: Partial<LatchClientOptions> = {}) {
  const requests: string[] = [];
  const ended: LatchProblemError[] = [];
  const storage = new MemoryTokenStorage();
  const clock = { ms: Date.now() };
  const client = new LatchClient({
    baseUrl: api.url,
    storage,
    renewBeforeSeconds: RENEW_BEFORE_SECONDS,
    now: () => clock.ms,
    onSessionEnd: (reason) => ended.push(reason),
    fetch: (input, init) => {
      requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    },
    ...options,
  });
  return {
    client,
    storage,
    requests,
    ended,
    renewals: () => requests.filter((r) => r === 'POST /session/renew').length,
    /** Moves this client's clock into the renewal window of its access token. */
    ageAccessToken: () => {
      clock.ms += INTO_RENEWAL_WINDOW_MS;
    },
    stored: () => storage.get() as StoredTokens,
    sid: () => decodeJwtClaims((storage.get() as StoredTokens).accessToken)?.sid as string,
  };
}

/** Registers and confirms an account through a client; returns the email. */
async function confirmedAccount(): Promise<string> {
  const { client } = device();
  const email = uniqueEmail('client-account');
  assert.equal((await client.register({ email, password: PASSWORD })).signedIn, false);
  await client.confirmEmail(await lastLinkToken(email, 'confirm-email'));
  return email;
}

/** A new confirmed account signed in on `count` devices. */
async function signedInDevices(count: number, options: Partial<LatchClientOptions> = {}) {
  const email = await confirmedAccount();
  const devices = [];
  for (let i = 0; i < count; i++) {
    const d = device({ ...options, headers: { 'user-agent': `device-${i}` } });
    await d.client.signIn({ email, password: PASSWORD });
    devices.push(d);
  }
  return { email, devices };
}

/**
 * The answer matches the contract's schema, and its members are exactly those of the client's
 * type (`Record<keyof T, true>` makes the compiler list every member of `T`).
 */
function assertShape<T extends object>(value: T, schema: { safeParse(v: unknown): { success: boolean } }, members: Record<keyof T, true>): void {
  assert.ok(schema.safeParse(value).success, `not the contract's shape: ${JSON.stringify(value)}`);
  assert.deepEqual(Object.keys(value).sort(), Object.keys(members).sort());
}

const USER_MEMBERS: Record<keyof User, true> = {
  id: true,
  email: true,
  emailConfirmed: true,
  unconfirmedEmail: true,
  role: true,
  locked: true,
  invitedBy: true,
  createdAt: true,
  updatedAt: true,
  mfaEnabled: true,
  hasPassword: true,
  locale: true,
};
const SESSION_MEMBERS: Record<keyof Session, true> = { id: true, createdAt: true, lastUsedAt: true, userAgent: true, ip: true, current: true, client: true };
/**
 * `warnings` is present only when not empty (a sign-in with a breached password), `recoveryCodesRemaining`
 * only after a second step with a recovery code, `mfaEnrollmentRequired` only with `AUTH_MFA=required`: never on these pairs.
 */
const PAIR_MEMBERS: Record<Exclude<keyof TokenPair, 'warnings' | 'recoveryCodesRemaining' | 'mfaEnrollmentRequired'>, true> = {
  accessToken: true,
  renewalToken: true,
  tokenType: true,
  expiresIn: true,
  user: true,
};
const INVITATION_MEMBERS: Record<keyof Invitation, true> = { email: true, expiresAt: true };
const TOKEN_EMAIL_MEMBERS: Record<keyof TokenEmail, true> = { email: true };

const isProblem = (status: number, code: string) => (e: unknown) => {
  assert.ok(e instanceof LatchProblemError, `expected a LatchProblemError, got ${String(e)}`);
  assert.equal(e.status, status);
  assert.equal(e.code, code);
  return true;
};

describe('client: updateMe', () => {
  test('an email change waits in unconfirmedEmail until the mailed link confirms it', async () => {
    // Prepare
    const { email, devices } = await signedInDevices(1);
    const [d] = devices as [ReturnType<typeof device>];
    const newEmail = uniqueEmail('client-moved');

    // Act
    const pending = await d.client.updateMe({ currentPassword: PASSWORD, email: newEmail });

    // Assess: nothing moved yet; the link goes to the new address, a notice to the old one.
    assertShape(pending, responseSchemas.User, USER_MEMBERS);
    assert.equal(pending.email, email);
    assert.equal(pending.unconfirmedEmail, newEmail);
    assert.equal((await mailsTo(email)).length, 2, 'the confirmation mail, then the change notice');
    const confirmed = await d.client.confirmEmail(await lastLinkToken(newEmail, 'confirm-email'));
    assert.equal(confirmed.email, newEmail);
    assert.equal(confirmed.unconfirmedEmail, null);
    assert.equal(confirmed.emailConfirmed, true);
    // The client's session lives on and sees the new address; sign-in now uses it.
    assert.equal((await d.client.me()).email, newEmail);
    const other = device();
    assert.equal((await other.client.signIn({ email: newEmail, password: PASSWORD })).user.email, newEmail);
    assert.deepEqual(d.ended, []);
  });

  test('a wrong current password is validation_failed on currentPassword and keeps the session', async () => {
    const { devices } = await signedInDevices(1);
    const [d] = devices as [ReturnType<typeof device>];
    const before = d.stored();

    await assert.rejects(d.client.updateMe({ currentPassword: 'not the password', password: NEW_PASSWORD }), (e: unknown) => {
      isProblem(422, 'validation_failed')(e);
      assert.ok((e as LatchProblemError).errors?.currentPassword);
      return true;
    });

    assert.deepEqual(d.stored(), before);
    assert.ok(await d.client.me());
    assert.deepEqual(d.ended, []);
  });

  test("a password change keeps the client's own session, through a later automatic renewal; the other sessions end", async () => {
    // Prepare: the same account on two devices.
    const { email, devices } = await signedInDevices(2);
    const [mine, theirs] = devices as [ReturnType<typeof device>, ReturnType<typeof device>];

    // Act
    const updated = await mine.client.updateMe({ currentPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD });

    // Assess: my session works now and after renewing (the renewal token survived the change).
    assertShape(updated, responseSchemas.User, USER_MEMBERS);
    assert.equal((await mine.client.me()).id, updated.id);
    const beforeRenewal = mine.stored();
    mine.ageAccessToken();
    assert.equal((await mine.client.me()).id, updated.id);
    assert.equal(mine.renewals(), 1);
    assert.notEqual(mine.stored().renewalToken, beforeRenewal.renewalToken);
    assert.equal((await api.request('GET', '/me', { token: mine.stored().accessToken })).status, 200);
    assert.deepEqual(mine.ended, []);
    const sessions = await mine.client.sessions();
    assert.deepEqual(
      sessions.map((s) => s.current),
      [true],
    );
    // The other device learns on its next call that its session ended.
    await assert.rejects(theirs.client.me(), isProblem(401, 'unauthorized'));
    assert.equal(theirs.storage.get(), null);
    assert.deepEqual(
      theirs.ended.map((e) => e.code),
      ['unauthorized'],
    );
    // The new password signs in.
    assert.ok(await device().client.signIn({ email, password: NEW_PASSWORD }));
  });
});

describe('client: deleteMe', () => {
  test('deletes the account and clears the storage; later calls are unauthorized; other devices end their session', async () => {
    // Prepare
    const { email, devices } = await signedInDevices(2);
    const [mine, theirs] = devices as [ReturnType<typeof device>, ReturnType<typeof device>];
    const last = mine.stored();

    // Act
    await mine.client.deleteMe({ currentPassword: PASSWORD });

    // Assess: asked for, so no onSessionEnd; the next call fails without a request.
    assert.equal(mine.storage.get(), null);
    assert.deepEqual(mine.ended, []);
    const sent = mine.requests.length;
    await assert.rejects(mine.client.me(), isProblem(401, 'unauthorized'));
    assert.equal(mine.requests.length, sent);
    assert.equal((await api.request('GET', '/me', { token: last.accessToken })).status, 401);
    await assert.rejects(theirs.client.me(), isProblem(401, 'unauthorized'));
    assert.equal(theirs.storage.get(), null);
    assert.equal(theirs.ended.length, 1);
    // The email can register again.
    assert.equal((await device().client.register({ email, password: PASSWORD })).signedIn, false);
  });

  test('a wrong current password deletes nothing and keeps the storage', async () => {
    const { devices } = await signedInDevices(1);
    const [d] = devices as [ReturnType<typeof device>];
    await assert.rejects(d.client.deleteMe({ currentPassword: 'not the password' }), isProblem(422, 'validation_failed'));
    assert.ok(d.storage.get());
    assert.ok(await d.client.me());
  });
});

describe('client: sessions', () => {
  test('sessions() lists every session of the user with current marking this one', async () => {
    const { devices } = await signedInDevices(2);
    const [mine, theirs] = devices as [ReturnType<typeof device>, ReturnType<typeof device>];

    const sessions = await mine.client.sessions();

    assert.equal(sessions.length, 2);
    for (const session of sessions) assertShape(session, responseSchemas.Session, SESSION_MEMBERS);
    assert.deepEqual(
      sessions.filter((s) => s.current).map((s) => s.id),
      [mine.sid()],
    );
    assert.deepEqual(sessions.map((s) => s.id).sort(), [mine.sid(), theirs.sid()].sort());
    assert.equal(sessions.find((s) => s.current)?.userAgent, 'device-0');
    assert.deepEqual(
      (await theirs.client.sessions()).filter((s) => s.current).map((s) => s.id),
      [theirs.sid()],
    );
  });

  test('revokeSession(another) ends that session only; an unknown id is not_found', async () => {
    // Prepare
    const { devices } = await signedInDevices(2);
    const [mine, theirs] = devices as [ReturnType<typeof device>, ReturnType<typeof device>];
    const before = mine.stored();

    // Act
    await mine.client.revokeSession(theirs.sid());

    // Assess
    assert.deepEqual(mine.stored(), before);
    assert.deepEqual(
      (await mine.client.sessions()).map((s) => s.id),
      [mine.sid()],
    );
    await assert.rejects(theirs.client.me(), isProblem(401, 'unauthorized'));
    assert.equal(theirs.storage.get(), null);
    assert.equal(theirs.ended.length, 1);
    await assert.rejects(mine.client.revokeSession('no-such-session'), isProblem(404, 'not_found'));
    assert.deepEqual(mine.ended, []);
  });

  test('revokeSession(another) from a session revoked meanwhile: unauthorized, and onSessionEnd ends it here', async () => {
    // Prepare: the other device revokes this one first.
    const { devices } = await signedInDevices(2);
    const [mine, theirs] = devices as [ReturnType<typeof device>, ReturnType<typeof device>];
    const theirSid = theirs.sid();
    await theirs.client.revokeSession(mine.sid());

    // Act
    await assert.rejects(mine.client.revokeSession(theirSid), isProblem(401, 'unauthorized'));

    // Assess: nothing was revoked by the dead session; it ended without this user asking.
    assert.equal(mine.storage.get(), null);
    assert.deepEqual(
      mine.ended.map((e) => e.code),
      ['unauthorized'],
    );
    assert.ok(await theirs.client.me());
  });

  test('revokeSession(current) clears the storage without onSessionEnd, as signOut does', async () => {
    const { devices } = await signedInDevices(2);
    const [mine, theirs] = devices as [ReturnType<typeof device>, ReturnType<typeof device>];
    const last = mine.stored();

    await mine.client.revokeSession(mine.sid());

    assert.equal(mine.storage.get(), null);
    assert.deepEqual(mine.ended, []);
    assert.equal((await api.request('GET', '/me', { token: last.accessToken })).status, 401);
    assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: last.renewalToken } })).status, 401);
    assert.ok(await theirs.client.me(), 'the other session lives on');
  });

  test('revokeSession(current) also right after an automatic renewal (the sid stays)', async () => {
    const { devices } = await signedInDevices(1);
    const [d] = devices as [ReturnType<typeof device>];
    const sid = d.sid();
    d.ageAccessToken();

    await d.client.revokeSession(sid);

    assert.equal(d.renewals(), 1);
    assert.equal(d.storage.get(), null);
    assert.deepEqual(d.ended, []);
  });

  test('signOutEverywhere ends every session, this one included, without onSessionEnd here', async () => {
    // Prepare
    const { devices } = await signedInDevices(3);
    const [mine, ...others] = devices as [ReturnType<typeof device>, ...ReturnType<typeof device>[]];
    const last = mine.stored();

    // Act
    await mine.client.signOutEverywhere();

    // Assess
    assert.equal(mine.storage.get(), null);
    assert.deepEqual(mine.ended, []);
    assert.equal((await api.request('POST', '/session/renew', { body: { renewalToken: last.renewalToken } })).status, 401);
    for (const other of others) {
      await assert.rejects(other.client.me(), isProblem(401, 'unauthorized'));
      assert.equal(other.storage.get(), null);
      assert.deepEqual(
        other.ended.map((e) => e.code),
        ['unauthorized'],
      );
    }
  });
});

describe('client: password reset', () => {
  test('request, show, reset: the old session is dead and onSessionEnd fires on its next call', async () => {
    // Prepare: a signed-in device, and a signed-out one (the browser that opens the mail link).
    const { email, devices } = await signedInDevices(1);
    const [signedIn] = devices as [ReturnType<typeof device>];
    const browser = device();

    // Act
    const requested = await browser.client.requestPasswordReset({ email });
    const unknown = await browser.client.requestPasswordReset({ email: uniqueEmail('nobody') });
    const token = await lastLinkToken(email, 'reset-password');
    const shown = await browser.client.getPasswordReset(token);
    await assert.rejects(browser.client.resetPassword(token, { password: 'short' }), isProblem(422, 'validation_failed'));
    const reset = await browser.client.resetPassword(token, { password: NEW_PASSWORD, passwordConfirmation: NEW_PASSWORD });

    // Assess
    assertShape(requested, responseSchemas.Message, { message: true });
    assert.deepEqual(unknown, requested, 'the same answer whatever the email');
    assertShape(shown, responseSchemas.EmailBody, TOKEN_EMAIL_MEMBERS);
    assert.equal(shown.email, email);
    assertShape(reset, responseSchemas.Message, { message: true });
    assert.equal(browser.storage.get(), null, 'a reset signs nobody in');
    await assert.rejects(signedIn.client.me(), isProblem(401, 'unauthorized'));
    assert.equal(signedIn.storage.get(), null);
    assert.deepEqual(
      signedIn.ended.map((e) => e.code),
      ['unauthorized'],
    );
    await assert.rejects(browser.client.getPasswordReset(token), isProblem(404, 'invalid_token'));
    await assert.rejects(browser.client.resetPassword(token, { password: NEW_PASSWORD }), isProblem(404, 'invalid_token'));
    assert.ok(await browser.client.signIn({ email, password: NEW_PASSWORD }));
  });
});

describe('client: invitations', () => {
  test('invite, show, accept: the accepted pair is stored and renews like any session', async () => {
    // Prepare
    const { devices } = await signedInDevices(1);
    const [inviter] = devices as [ReturnType<typeof device>];
    const inviterId = (await inviter.client.me()).id;
    const guestEmail = uniqueEmail('client-guest');
    const guest = device();

    // Act
    const invitation = await inviter.client.invite({ email: guestEmail });
    const token = await lastLinkToken(guestEmail, 'invitation');
    const shown = await guest.client.getInvitation(token);
    await assert.rejects(guest.client.acceptInvitation(token, { password: PASSWORD, passwordConfirmation: 'other' }), isProblem(422, 'validation_failed'));
    assert.equal(guest.storage.get(), null);
    const pair = await guest.client.acceptInvitation(token, { password: PASSWORD, passwordConfirmation: PASSWORD });

    // Assess
    assertShape(invitation, responseSchemas.Invitation.shape.invitation, INVITATION_MEMBERS);
    assert.equal(invitation.email, guestEmail);
    assert.ok(Number.isFinite(Date.parse(invitation.expiresAt)));
    assertShape(shown, responseSchemas.EmailBody, TOKEN_EMAIL_MEMBERS);
    assert.equal(shown.email, guestEmail);
    assertShape<Omit<TokenPair, 'warnings' | 'recoveryCodesRemaining' | 'mfaEnrollmentRequired'>>(pair, responseSchemas.TokenPair, PAIR_MEMBERS);
    assertShape(pair.user, responseSchemas.User, USER_MEMBERS);
    assert.equal(pair.user.invitedBy, inviterId);
    assert.equal(pair.user.emailConfirmed, true);
    assert.equal(guest.stored().accessToken, pair.accessToken);
    assert.equal(guest.stored().renewalToken, pair.renewalToken);
    assert.equal(typeof guest.stored().expiresAt, 'number');
    assert.equal((await guest.client.me()).email, guestEmail);
    assert.deepEqual(
      (await guest.client.sessions()).map((s) => s.current),
      [true],
    );
    guest.ageAccessToken();
    assert.equal((await guest.client.me()).invitedBy, inviterId);
    assert.equal(guest.renewals(), 1);
    await assert.rejects(guest.client.getInvitation(token), isProblem(404, 'invalid_token'));
    assert.deepEqual(guest.ended, []);
  });
});
