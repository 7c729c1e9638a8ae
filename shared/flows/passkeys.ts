import { AuthError, isConflict, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import {
  derivedSignInMethods,
  type Passkey,
  type PublicPasskey,
  passkeyAmrValue,
  passkeySignInAmr,
  toPublicPasskey,
  type WebauthnBinding,
} from '../domain/passkeys.js';
import { amrOf } from '../domain/totp.js';
import { toPublicUser, type User } from '../domain/types.js';
import { runAfterHook, runBeforeHook } from '../hooks/run.js';
import type { UserAdjust, WriteOp } from '../ports/store.js';
import { auditOp, recordAudit } from './audit.js';
import { type Deps, nowIso, nowSeconds, type Principal, type RequestInfo } from './deps.js';
import { recordFailedSignIn, reserveAttempt } from './lockout.js';
import { codeSpentMeanwhile, newRecoveryCodes } from './mfa-recovery-codes.js';
import {
  assertionIds,
  authenticationOptions,
  newChallenge,
  registrationOptions,
  spendChallenge,
  verifyAssertion,
  verifyRegistration,
} from './passkey-ceremony.js';
import { passkeyName } from './passkey-manage.js';
import { commitSpendingCode, loadCaller, recoveryCodeUsedOps, requireStepUp, type StepUpInput } from './reauthenticate.js';
import { revokeAllSessions } from './revoke.js';
import { passwordOrProviderAmr } from './second-factor.js';
import { enqueueOp, prepareTemplateMail, resendConfirmationMail } from './send-mail.js';
import { prepareSession, type TokenPair } from './token-pair.js';

export { listMyPasskeys, removePasskey, renamePasskey } from './passkey-manage.js';

/**
 * Passkeys (`docs/specs/mfa-and-passkeys.md` §7): registration by a signed-in user after step-up,
 * list, rename, remove, and passwordless sign-in with discoverable credentials. The ceremonies
 * and `@simplewebauthn/server` are in `passkey-ceremony.ts`.
 */

const FLOW = 'passkeys';

/** `POST /me/passkeys/options`'s answer. */
export interface RegistrationOptionsResult {
  options: Awaited<ReturnType<typeof registrationOptions>>;
}

/**
 * `POST /me/passkeys/options` (R): registration options bound to the caller's user and session.
 * `404` when `AUTH_MFA=off`. A code given as the step-up proof is spent with the challenge.
 */
export async function startPasskeyRegistration(
  deps: Deps,
  principal: Principal,
  input: StepUpInput,
  request?: RequestInfo,
): Promise<RegistrationOptionsResult> {
  if (deps.config.mfa === 'off') throw new AuthError('not_found');
  const { user, session, proof } = await requireStepUp(deps, principal, input, FLOW);
  const passkeys = await deps.store.listPasskeys(user.id);
  const challenge = newChallenge(deps, { ceremony: 'create', purpose: 'add', userId: user.id, sessionId: session.id });
  const ops: WriteOp[] = [
    challenge.op,
    ...(proof ? [{ type: 'updateUser' as const, id: user.id, spend: proof.spend }] : []),
    ...(await recoveryCodeUsedOps(deps, user, proof, request, session.id)),
  ];
  await commitSpendingCode(deps, ops, codeSpentMeanwhile);
  return { options: await registrationOptions(deps, user, passkeys, challenge.bytes) };
}

/** `POST /me/passkeys`'s answer. */
export interface PasskeyAdded {
  passkey: PublicPasskey;
  /** Shown once, when it was the first second factor and the user had none. */
  recoveryCodes?: string[];
}

/** A passkey's name: trimmed, default `Passkey`, at most 64 characters. */

/** The session's `amr` once a passkey joined as its second factor: first factor, `hwk`/`swk`, `mfa`. */
export function amrWithPasskey(amr: readonly string[], backedUp: boolean): string[] {
  const first = passwordOrProviderAmr(amr);
  return [...(first.length > 0 ? first : amr.filter((v) => v !== 'mfa')), passkeyAmrValue(backedUp), 'mfa'].filter((v, i, all) => all.indexOf(v) === i);
}

/**
 * `POST /me/passkeys`: verifies a registration response against the caller's `add` challenge
 * (spent first: `404 invalid_token` when unknown, spent, expired or another session's), then
 * stores the passkey: its claim (`409 already_enabled` when the credential id is anyone's), the
 * passkey, and the profile's counters under the cap (`AUTH_WEBAUTHN_MAX_PASSKEYS`). The first
 * second factor also turns MFA on: recovery codes when none, every other session revoked, the
 * caller's `amr` gains the factor (as TOTP's confirmation does).
 */
export async function addPasskey(
  deps: Deps,
  principal: Principal,
  input: { credential?: unknown; name?: string | undefined },
  request?: RequestInfo,
): Promise<PasskeyAdded> {
  const { user, session } = await loadCaller(deps, principal);
  const binding: WebauthnBinding = { ceremony: 'create', purpose: 'add', userId: user.id, sessionId: session.id };
  if (input.credential === undefined || input.credential === null) throw new ValidationError({ credential: [messages.field.blank] });
  const name = passkeyName(input.name, false);
  const challenge = await spendChallenge(deps, input.credential, binding);
  if (challenge === undefined) throw new AuthError('invalid_token');
  const verified = await verifyRegistration(deps, input.credential, challenge);
  if (!verified) throw new ValidationError({ credential: [messages.field.invalid] });
  const max = deps.config.webauthnMaxPasskeys;
  const limit = () => new ValidationError({ credential: [`has reached the limit of ${max} passkeys`] });
  if ((user.passkeyCount ?? 0) >= max) throw limit();
  const at = nowIso(deps);
  const passkey: Passkey = { userId: user.id, ...verified, name, createdAt: at, lastUsedAt: null };
  const adjust: UserAdjust = {
    passkeyCount: 1,
    ...(passkey.discoverable ? { signInMethods: { delta: 1, derived: derivedSignInMethods(user) } } : {}),
  };
  const added = await prepareTemplateMail(
    deps,
    user.email,
    'passkeyAdded',
    { appUrl: deps.config.appUrl, email: user.email, name },
    { userId: user.id, locale: user.locale, cap: null },
  );
  const event = (first: boolean) =>
    auditOp(deps, {
      type: 'passkey.added',
      userId: user.id,
      sessionId: session.id,
      details: { credentialId: passkey.id, discoverable: passkey.discoverable, backedUp: passkey.backedUp, first },
      request,
    });
  let recoveryCodes: string[] | undefined;
  try {
    if (!user.mfaEnabled) {
      // The first second factor: as TOTP's confirmation (§6.1), other sessions revoked.
      const codes = user.recoveryCodes ? undefined : await newRecoveryCodes(deps);
      const enabled = await prepareTemplateMail(
        deps,
        user.email,
        'mfaEnabled',
        { appUrl: deps.config.appUrl, email: user.email, method: 'webauthn' },
        { userId: user.id, locale: user.locale, cap: null },
      );
      await revokeAllSessions(deps, user.id, {
        keepSessionId: session.id,
        // Nothing added meanwhile (no factor of a concurrent enrolment gets its codes replaced).
        guard: { passwordHash: user.passwordHash, passkeyCount: 0, totp: true },
        precheck: (fresh) => {
          if (fresh.mfaEnabled || (fresh.passkeyCount ?? 0) !== 0) throw new ServiceUnavailableError('A second factor was added meanwhile. Please try again.');
        },
        set: { mfaEnabled: true, ...(codes ? { recoveryCodes: codes.stored, recoveryCodesCreatedAt: at } : {}), updatedAt: at },
        adjust,
        extraOps: [
          { type: 'putPasskey', passkey },
          {
            type: 'updateSession',
            userId: user.id,
            id: session.id,
            ifJti: principal.jti,
            set: { amr: amrWithPasskey(amrOf(session), passkey.backedUp), authTime: nowSeconds(deps) },
          },
          await event(true),
          enqueueOp(added),
          enqueueOp(enabled),
        ],
      });
      recoveryCodes = codes?.shown;
    } else {
      await deps.store.commit([
        { type: 'putPasskey', passkey },
        {
          type: 'updateUser',
          id: user.id,
          set: { updatedAt: at },
          guard: { passkeyCountBelow: max, sessionEpoch: user.sessionEpoch, passwordHash: user.passwordHash, mfaEnabled: true },
          adjust,
        },
        await event(false),
        enqueueOp(added),
      ]);
    }
  } catch (error) {
    if (isConflict(error, 'credential_taken')) throw new AuthError('already_enabled');
    if (isConflict(error, 'user_changed')) {
      const fresh = await deps.store.getUser(user.id);
      if (fresh && (fresh.passkeyCount ?? 0) >= max) throw limit();
      throw new ServiceUnavailableError('Your account changed meanwhile. Please try again.');
    }
    if (isConflict(error, 'token_mismatch') || isConflict(error, 'session_gone') || isConflict(error, 'not_found')) throw new AuthError('unauthorized');
    throw error;
  }
  deps.log.info('passkey added', { flow: FLOW, userId: user.id });
  return { passkey: toPublicPasskey(passkey), ...(recoveryCodes ? { recoveryCodes } : {}) };
}

/** `POST /session/passkey/options`'s answer: the same shape for everyone (nothing to enumerate). */
export interface SignInOptionsResult {
  options: Awaited<ReturnType<typeof authenticationOptions>>;
  expiresIn: number;
}

/** `POST /session/passkey/options`: a `sign_in` challenge, no `allowCredentials`, user verification required. */
export async function passkeySignInOptions(deps: Deps): Promise<SignInOptionsResult> {
  const challenge = newChallenge(deps, { ceremony: 'get', purpose: 'sign_in' });
  await deps.store.commit([challenge.op]);
  return { options: await authenticationOptions(deps, challenge.bytes, 'required'), expiresIn: deps.config.webauthnChallengeTtlSeconds };
}

/** Why a passkey sign-in failed, for its `sign_in` event (the answer is one `401` for all). */
type PasskeyRefusal = 'bad_passkey' | 'unknown_passkey' | 'challenge' | 'counter_regression' | 'disabled' | 'invitation_pending';

/** Attempts when another sign-in or a role change lands between read and write. */
const SIGN_IN_ATTEMPTS = 10;

/**
 * `POST /session/passkey`: passwordless sign-in (§7.1). The challenge is spent first; the
 * credential is found by the assertion's `userHandle` and id in one consistent read; the
 * assertion must verify with user verification. Every failure is one `401 invalid_credentials`
 * counted against the source address only. A counter regression on a valid signature disables
 * the passkey (event, mail). `403 email_not_confirmed` / `account_locked` only after a valid
 * assertion. Success: the counter moves (conditioned on the value read), the session starts with
 * `amr` `["hwk","mfa"]` or `["swk","mfa"]`, in one transaction.
 */
export async function signInWithPasskey(
  deps: Deps,
  input: { credential?: unknown; rememberMe?: boolean | undefined },
  request: RequestInfo,
): Promise<TokenPair> {
  const attempt = await reserveAttempt(deps, { emailCanonical: null, ip: request.ip }, FLOW);
  const fail = async (reason: PasskeyRefusal, user?: User): Promise<never> => {
    await recordFailedSignIn(deps, attempt, undefined, FLOW, request);
    await recordAudit(deps, { type: 'sign_in', outcome: 'failure', userId: user?.id ?? null, details: { method: 'passkey', reason }, request });
    deps.log.info('passkey sign-in refused', { flow: FLOW, reason, code: 'invalid_credentials' });
    throw new AuthError('invalid_credentials');
  };
  const challenge = await spendChallenge(deps, input.credential, { ceremony: 'get', purpose: 'sign_in' });
  if (challenge === undefined) return fail('challenge');
  const ids = assertionIds(input.credential);
  if (!ids || ids.userId === undefined) return fail('unknown_passkey');
  const passkey = await deps.store.getPasskey(ids.userId, ids.credentialId);
  if (!passkey) return fail('unknown_passkey');
  const user = await deps.store.getUser(passkey.userId);
  if (!user) return fail('unknown_passkey');
  if (passkey.disabledAt !== undefined) return fail('disabled', user);
  const outcome = await verifyAssertion(deps, input.credential, challenge, passkey, true);
  if (!outcome.ok) {
    if (outcome.regression) await disableRegressed(deps, user, passkey, outcome.newCounter, request);
    return fail(outcome.regression ? 'counter_regression' : 'bad_passkey', user);
  }
  if (user.invitationPending) return fail('invitation_pending', user);
  if (user.locked) throw new AuthError('account_locked', messages.accountLocked);
  if (!user.emailConfirmed && deps.config.requireEmailConfirmation) {
    await resendConfirmationMail(deps, user).catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
    throw new AuthError('email_not_confirmed', messages.emailNotConfirmed);
  }
  const rememberMe = input.rememberMe === true;
  const amr = passkeySignInAmr(outcome.backedUp);
  await runBeforeHook(deps, 'beforeSignIn', { user: toPublicUser(user), rememberMe, request, amr, method: 'passkey' }, { rejectAs: 'forbidden' });
  const becameDiscoverable = !passkey.discoverable;
  let current = user;
  for (let round = 0; round < SIGN_IN_ATTEMPTS; round++) {
    const prepared = await prepareSession(deps, current, { rememberMe, request, method: 'passkey', amr });
    const ops = prepared.ops.map((op): WriteOp => {
      // The profile write of the session also counts a passkey that just proved discoverable.
      if (op.type !== 'updateUser' || op.id !== current.id || !becameDiscoverable) return op;
      return { ...op, adjust: { signInMethods: { delta: 1, derived: derivedSignInMethods(current) } } };
    });
    const passkeyUpdate: WriteOp = {
      type: 'updatePasskey',
      userId: user.id,
      id: passkey.id,
      ifCounter: passkey.counter,
      ifEnabled: true,
      set: { counter: outcome.newCounter, lastUsedAt: nowIso(deps), discoverable: true, backedUp: outcome.backedUp, deviceType: outcome.deviceType },
    };
    try {
      await deps.store.commit([passkeyUpdate, ...ops]);
      deps.log.info('signed in', { flow: FLOW, userId: user.id });
      await runAfterHook(deps, 'afterSignIn', { user: prepared.tokens.user, sessionId: prepared.sessionId, request, amr, method: 'passkey' });
      return prepared.tokens;
    } catch (error) {
      // Two assertions racing with one credential: one moved the counter (or it was disabled).
      if (isConflict(error, 'token_mismatch') || isConflict(error, 'not_found')) return fail('bad_passkey', user);
      if (!isConflict(error, 'user_changed')) throw error;
      const fresh = await deps.store.getUser(user.id);
      if (!fresh) return fail('unknown_passkey');
      if (fresh.locked) throw new AuthError('account_locked', messages.accountLocked);
      if (fresh.sessionEpoch !== user.sessionEpoch) return fail('bad_passkey', user);
      current = fresh;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * Math.min(round + 1, 8)));
    }
  }
  throw new ServiceUnavailableError('Too many concurrent sign-ins to this account. Please try again.');
}

/**
 * A valid assertion whose counter did not grow (§7.3): the passkey is disabled (conditioned on
 * the counter read, so a concurrent legitimate use is not undone), with its event and the
 * `passkeyDisabled` notice. A lost race changes nothing: the sign-in is refused either way.
 */
async function disableRegressed(deps: Deps, user: User, passkey: Passkey, newCounter: number, request: RequestInfo): Promise<void> {
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'passkeyDisabled',
    { appUrl: deps.config.appUrl, email: user.email, name: passkey.name },
    { userId: user.id, locale: user.locale, cap: null },
  );
  try {
    await deps.store.commit([
      { type: 'updatePasskey', userId: user.id, id: passkey.id, ifCounter: passkey.counter, ifEnabled: true, set: { disabledAt: nowIso(deps) } },
      await auditOp(deps, {
        type: 'passkey.counter_regression',
        userId: user.id,
        actor: { kind: 'system' },
        details: { credentialId: passkey.id, storedCounter: passkey.counter, newCounter },
        request,
      }),
      enqueueOp(mail),
    ]);
    deps.log.warn('passkey disabled: counter regression', { flow: FLOW, userId: user.id });
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
}

/**
 * Verifies a passkey assertion of a known user for a second step or a step-up (§5.2, §4): the
 * challenge (made with `binding`, e.g. `{ ceremony: 'get', purpose: 'mfa', userId, mfaHash }`)
 * is spent first, the credential must be one of the user's enabled passkeys, and its counter
 * moves in `ops` (to commit with the caller's change: a concurrent use of the same assertion
 * then fails `token_mismatch`). User verification is required for `reauth`, not for `mfa`. A
 * counter regression disables the passkey (as for sign-in). Undefined for every failure (the
 * caller answers `401 invalid_code`, or `404 invalid_token` when `challengeSpent` is false).
 */
export async function verifyPasskeyAssertion(
  deps: Deps,
  user: User,
  credential: unknown,
  binding: WebauthnBinding,
  request?: RequestInfo,
): Promise<{ ok: true; amrValue: 'hwk' | 'swk'; ops: WriteOp[] } | { ok: false; challengeSpent: boolean }> {
  const challenge = await spendChallenge(deps, credential, binding);
  if (challenge === undefined) return { ok: false, challengeSpent: false };
  const ids = assertionIds(credential);
  const passkey = ids && (await deps.store.getPasskey(user.id, ids.credentialId));
  if (!passkey || passkey.disabledAt !== undefined) return { ok: false, challengeSpent: true };
  const outcome = await verifyAssertion(deps, credential, challenge, passkey, binding.purpose === 'reauth' || binding.purpose === 'sign_in');
  if (!outcome.ok) {
    if (outcome.regression) await disableRegressed(deps, user, passkey, outcome.newCounter, request ?? { ip: null, userAgent: null });
    return { ok: false, challengeSpent: true };
  }
  return {
    ok: true,
    amrValue: passkeyAmrValue(outcome.backedUp),
    ops: [
      {
        type: 'updatePasskey',
        userId: user.id,
        id: passkey.id,
        ifCounter: passkey.counter,
        ifEnabled: true,
        set: { counter: outcome.newCounter, lastUsedAt: nowIso(deps), backedUp: outcome.backedUp, deviceType: outcome.deviceType },
      },
    ],
  };
}
