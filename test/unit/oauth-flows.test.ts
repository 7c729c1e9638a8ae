/**
 * Social sign-in flows on the memory adapter (`docs/specs/social-sign-in.md` §6): the mails
 * `identityLinked` / `identityUnlinked` go out with the change, and a step-up code is spent in the
 * transaction that links or unlinks (`docs/specs/mfa-and-passkeys.md` §4), so a refused change
 * spends nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../../shared/domain/errors.js';
import { type Identity, parseOAuthProviders } from '../../shared/domain/oauth.js';
import { hashSecret, randomSecret } from '../../shared/domain/secrets.js';
import { signIn } from '../../shared/flows/current-session.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { newRecoveryCodes } from '../../shared/flows/mfa-recovery-codes.js';
import { adminUnlink, linkPending, unlinkMine } from '../../shared/flows/oauth.js';
import { register } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import type { OAuthProviders } from '../../shared/ports/oauth-providers.js';
import type { WriteOp } from '../../shared/ports/store.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const request = { ip: '203.0.113.9', userAgent: 'test-agent/1.0' };

const PROVIDERS = parseOAuthProviders(
  [
    {
      id: 'corp',
      preset: 'oidc',
      name: 'Corp SSO',
      issuer: 'https://sso.corp.example',
      clientId: 'c',
      clientSecret: { env: 'X' },
      redirectUris: ['https://app.test/cb'],
    },
  ],
  false,
);

function withProviders(deps: MemoryDeps): void {
  const unused = () => Promise.reject(new Error('not called in these tests'));
  deps.oauth = { list: () => PROVIDERS, authorizationUrl: unused, finish: unused, verifyIdToken: unused } satisfies OAuthProviders;
}

/** A confirmed password user, signed in, with MFA on (recovery codes only), optionally with an identity. */
async function mfaUser(deps: MemoryDeps, email: string, withIdentity: boolean) {
  await register(deps, { email, password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, email, 'confirm-email'));
  const tokens = await signIn(deps, { email, password: PASSWORD }, request);
  const principal = await checkAccessToken(deps, tokens.accessToken);
  const codes = await newRecoveryCodes(deps);
  await deps.store.commit([
    { type: 'updateUser', id: principal.userId, set: { mfaEnabled: true, recoveryCodes: codes.stored, recoveryCodesCreatedAt: '2026-01-01T00:00:00.000Z' } },
  ]);
  if (withIdentity) await addIdentity(deps, principal.userId, `sub-${email}`);
  return { principal, codes: codes.shown };
}

/** Stores an identity as a link does: the claim, the identity and one more sign-in method. */
async function addIdentity(deps: MemoryDeps, userId: string, sub: string): Promise<void> {
  await deps.store.commit([
    { type: 'putIdentity', identity: anIdentity(userId, sub) },
    { type: 'countSignInMethods', userId, add: 1, ifAbsent: 1 },
  ]);
}

function anIdentity(userId: string, sub: string): Identity {
  return {
    userId,
    provider: 'corp',
    sub,
    email: null,
    emailVerified: false,
    name: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastUsedAt: '2026-01-01T00:00:00.000Z',
  };
}

async function usedCodes(deps: MemoryDeps, userId: string): Promise<number> {
  const user = await deps.store.getUser(userId);
  return Object.values(user?.recoveryCodes ?? {}).filter((e) => e.usedAt !== undefined).length;
}

function subjects(deps: MemoryDeps, email: string): string[] {
  return deps.mailer.to(email).map((m) => m.subject);
}

test('unlinking with a recovery code spends it in the unlink’s transaction: a refused unlink spends nothing', async () => {
  const deps = await memoryDeps();
  withProviders(deps);
  const email = 'unlink@example.com';
  const { principal, codes } = await mfaUser(deps, email, true);
  // An admin removes the identity between the step-up check and the user's own write.
  const commit = deps.store.commit.bind(deps.store);
  let raced = false;
  deps.store.commit = async (ops: WriteOp[]) => {
    if (!raced && ops.some((op) => op.type === 'deleteIdentity')) {
      raced = true;
      await adminUnlink(deps, undefined, principal.userId, 'corp', { ...request, operator: 'ops' });
    }
    return commit(ops);
  };
  await assert.rejects(
    unlinkMine(deps, principal, 'corp', { currentPassword: PASSWORD, code: codes[0] }, request),
    (e) => e instanceof AuthError && e.code === 'not_found',
  );
  assert.equal(raced, true);
  assert.equal(await usedCodes(deps, principal.userId), 0, 'the refused unlink spent no code');
  assert.equal([...deps.store.auditEvents.values()].filter((e) => e.type === 'recovery_code.used').length, 0);
  deps.store.commit = commit;

  // Linked again: the unlink succeeds and spends the code with it, its notice and mail included.
  await addIdentity(deps, principal.userId, 'sub-again');
  await unlinkMine(deps, principal, 'corp', { currentPassword: PASSWORD, code: codes[0] }, request);
  assert.equal(await usedCodes(deps, principal.userId), 1);
  assert.deepEqual(await deps.store.listIdentities(principal.userId), []);
  assert.ok(subjects(deps, email).includes('Your Corp SSO account was unlinked'), subjects(deps, email).join());
  assert.ok(subjects(deps, email).includes('A recovery code was used'));
  // The same code again: refused, nothing changes.
  await addIdentity(deps, principal.userId, 'sub-third');
  await assert.rejects(unlinkMine(deps, principal, 'corp', { currentPassword: PASSWORD, code: codes[0] }, request));
  assert.equal((await deps.store.listIdentities(principal.userId)).length, 1);
});

test('the last sign-in method is refused before any code is checked, and an admin unlink mails the owner', async () => {
  const deps = await memoryDeps();
  withProviders(deps);
  const email = 'admin-unlink@example.com';
  const { principal, codes } = await mfaUser(deps, email, true);
  const before = subjects(deps, email).length;
  await adminUnlink(deps, undefined, principal.userId, 'corp', { ...request, operator: 'ops' });
  assert.deepEqual(subjects(deps, email).slice(before), ['Your Corp SSO account was unlinked']);
  assert.equal(await usedCodes(deps, principal.userId), 0);
  void codes;
});

test('linking a pending identity with a recovery code spends it with the link and mails identityLinked; a refused link spends nothing', async () => {
  const deps = await memoryDeps();
  withProviders(deps);
  const { principal, codes } = await mfaUser(deps, 'linker@example.com', false);
  const other = await mfaUser(deps, 'other@example.com', false);
  const pending = async (sub: string) => {
    const token = randomSecret();
    const flowSecret = randomSecret();
    await deps.store.commit([
      {
        type: 'putOAuthItem',
        item: {
          kind: 'pending',
          hash: hashSecret(token),
          provider: 'corp',
          sub,
          email: null,
          emailVerified: false,
          name: null,
          rememberMe: false,
          flowSecretHash: hashSecret(flowSecret),
          invitationHash: null,
          expiresAt: Math.floor(deps.clock.now() / 1000) + 600,
        },
      },
    ]);
    return { pendingToken: token, flowSecret };
  };
  // Bound to another user: 409, the code unspent.
  await addIdentity(deps, other.principal.userId, 'taken-sub');
  await assert.rejects(
    linkPending(deps, principal, { ...(await pending('taken-sub')), currentPassword: PASSWORD, code: codes[1] }, request),
    (e) => e instanceof AuthError && e.code === 'identity_taken',
  );
  assert.equal(await usedCodes(deps, principal.userId), 0);
  // A free one: linked, the code spent in the same write, the owner told.
  const linked = await linkPending(deps, principal, { ...(await pending('free-sub')), currentPassword: PASSWORD, code: codes[1] }, request);
  assert.equal(linked.kind, 'linked');
  assert.equal(await usedCodes(deps, principal.userId), 1);
  assert.ok(subjects(deps, 'linker@example.com').includes('Your Corp SSO account was linked'));
  const user = await deps.store.getUser(principal.userId);
  assert.equal(user?.signInMethods, 2);
});
