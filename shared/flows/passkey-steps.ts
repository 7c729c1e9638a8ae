import { AuthError, isConflict, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import type { WebauthnBinding } from '../domain/passkeys.js';
import { safeEqual } from '../domain/secrets.js';
import { runAfterHook, runBeforeHook } from '../hooks/run.js';
import type { WriteOp } from '../ports/store.js';
import { auditOp, recordAudit } from './audit.js';
import { type Deps, nowSeconds, type Principal, type RequestInfo } from './deps.js';
import { clearFailedSignIns } from './lockout.js';
import { commitSecondStep, loadMfaChallenge, mfaWrongAnswer, refuseLockedChallengeUser, signInHookContext } from './mfa-second-step.js';
import { authenticationOptions, newChallenge } from './passkey-ceremony.js';
import { verifyPasskeyAssertion } from './passkeys.js';
import { loadCaller, type ReauthenticateResult, reauthenticationRequired, recordMfaFailure, refuseDuringMfaLockout } from './reauthenticate.js';
import type { TokenPair } from './token-pair.js';

/**
 * A passkey as the second step of a sign-in (`POST /session/mfa/webauthn*`,
 * `docs/specs/mfa-and-passkeys.md` §5.2) and as the proof of a step-up
 * (`POST /session/reauthenticate/webauthn*`, §4). The ceremonies are those of §7.2: a challenge
 * bound to its purpose (`mfa`: the user and the `mfaToken`'s hash; `reauth`: the user and the
 * session), spent before the assertion is verified.
 */

const FLOW = 'passkeys';

/** The options answer of both routes. */
export interface AssertionOptionsResult {
  options: Awaited<ReturnType<typeof authenticationOptions>>;
}

/** A missing `credential`: `422 errors.credential ["can't be blank"]`. */
function requireCredential(credential: unknown): void {
  if (credential === undefined || credential === null) throw new ValidationError({ credential: [messages.field.blank] });
}

/**
 * `POST /session/mfa/webauthn/options`: for a live `mfaToken` (`404 invalid_token` otherwise), a
 * `get` challenge of purpose `mfa` bound to the user and the token's hash, `allowCredentials` =
 * the user's (enabled) passkeys, `userVerification: "preferred"`. Spends no attempt.
 */
export async function passkeyMfaOptions(deps: Deps, input: { mfaToken?: string | undefined }): Promise<AssertionOptionsResult> {
  const { user, challenge } = await loadMfaChallenge(deps, input.mfaToken);
  const passkeys = await deps.store.listPasskeys(user.id);
  const created = newChallenge(deps, { ceremony: 'get', purpose: 'mfa', userId: user.id, mfaHash: challenge.hash });
  await deps.store.commit([created.op]);
  return { options: await authenticationOptions(deps, created.bytes, 'preferred', passkeys) };
}

/**
 * `POST /session/mfa/webauthn`: the second step with a passkey. Checks as `POST /session/mfa`:
 * the `mfaToken` (404), `credential` (422), locked (403, the challenge spent), the MFA lockout
 * (429); then the WebAuthn challenge is spent (`404 invalid_token` when it is unknown, spent,
 * expired or bound to another `mfaToken`, user or purpose) and the assertion verified against
 * the user's enabled passkeys (user verification not required). A failed assertion is a wrong
 * answer (`401 invalid_code`, one attempt, one MFA failure). Success: the session in one
 * transaction with the challenge's deletion and the passkey's counter (`amr` first factor +
 * `hwk`/`swk` + `mfa`).
 */
export async function completeMfaWithPasskey(
  deps: Deps,
  input: { mfaToken?: string | undefined; credential?: unknown },
  request: RequestInfo,
): Promise<TokenPair> {
  const { user, challenge } = await loadMfaChallenge(deps, input.mfaToken);
  requireCredential(input.credential);
  await refuseLockedChallengeUser(deps, user, challenge);
  await refuseDuringMfaLockout(deps, user, FLOW);
  const binding: WebauthnBinding = { ceremony: 'get', purpose: 'mfa', userId: user.id, mfaHash: challenge.hash };
  const result = await verifyPasskeyAssertion(deps, user, input.credential, binding, request);
  if (!result.ok) {
    if (!result.challengeSpent) throw new AuthError('invalid_token');
    return mfaWrongAnswer(deps, user, challenge, request);
  }
  const proof = { method: 'webauthn', amrValue: result.amrValue, extraOps: result.ops };
  await runBeforeHook(deps, 'beforeSignIn', signInHookContext(user, challenge, proof, request), { rejectAs: 'forbidden' });
  const started = await commitSecondStep(deps, user, challenge, proof, request);
  await clearFailedSignIns(deps, user.emailCanonical).catch(() => deps.log.warn('could not clear failed sign-ins', { flow: FLOW, userId: user.id }));
  const { amr, method } = signInHookContext(user, challenge, proof, request);
  deps.log.info('signed in', { flow: FLOW, userId: user.id, amr: amr.join(' ') });
  await runAfterHook(deps, 'afterSignIn', { user: started.tokens.user, sessionId: started.sessionId, request, amr, method });
  return started.tokens;
}

/**
 * `POST /session/reauthenticate/webauthn/options`: a `get` challenge of purpose `reauth` bound
 * to the caller's user and session, `allowCredentials` = the user's passkeys,
 * `userVerification: "required"`. A user without a passkey gets `403 reauthentication_required`
 * (its `reauthMethods` say what works).
 */
export async function passkeyReauthOptions(deps: Deps, principal: Principal): Promise<AssertionOptionsResult> {
  const { user, session } = await loadCaller(deps, principal);
  const passkeys = (await deps.store.listPasskeys(user.id)).filter((p) => p.disabledAt === undefined);
  if (passkeys.length === 0) throw reauthenticationRequired(deps, user);
  const created = newChallenge(deps, { ceremony: 'get', purpose: 'reauth', userId: user.id, sessionId: session.id });
  await deps.store.commit([created.op]);
  return { options: await authenticationOptions(deps, created.bytes, 'required', passkeys) };
}

/**
 * `POST /session/reauthenticate/webauthn`: a verified assertion with user verification renews the
 * session's authentication like `POST /session/reauthenticate`: `amr` becomes
 * `["hwk"|"swk","mfa"]` (aal2), `authTime` now, on the condition that the session still has the
 * access token that asked; the passkey's counter moves in the same transaction, with the
 * `reauthenticate` event. `404 invalid_token` for a challenge that is unknown, spent, expired or
 * another session's; `401 invalid_code` for an assertion that does not verify (an MFA failure).
 */
export async function reauthenticateWithPasskey(
  deps: Deps,
  principal: Principal,
  input: { credential?: unknown },
  request?: RequestInfo,
): Promise<ReauthenticateResult> {
  const { user, session } = await loadCaller(deps, principal);
  requireCredential(input.credential);
  await refuseDuringMfaLockout(deps, user, FLOW);
  const binding: WebauthnBinding = { ceremony: 'get', purpose: 'reauth', userId: user.id, sessionId: session.id };
  const result = await verifyPasskeyAssertion(deps, user, input.credential, binding, request);
  if (!result.ok) {
    if (!result.challengeSpent) throw new AuthError('invalid_token');
    await recordMfaFailure(deps, user, FLOW, request);
    await recordAudit(deps, {
      type: 'reauthenticate',
      outcome: 'failure',
      userId: user.id,
      sessionId: session.id,
      details: { reason: 'bad_passkey' },
      request,
    });
    throw new AuthError('invalid_code');
  }
  const now = nowSeconds(deps);
  const ops: WriteOp[] = [
    { type: 'updateSession', userId: user.id, id: session.id, ifJti: principal.jti, set: { amr: [result.amrValue, 'mfa'], authTime: now } },
    ...result.ops,
    await auditOp(deps, { type: 'reauthenticate', userId: user.id, sessionId: session.id, details: { method: 'webauthn', aal: 'aal2' }, request }),
  ];
  try {
    await deps.store.commit(ops);
  } catch (error) {
    if (isConflict(error, 'session_gone')) throw new AuthError('unauthorized');
    if (isConflict(error, 'token_mismatch') || isConflict(error, 'not_found')) {
      // The session renewed or revoked meanwhile (401), or the passkey used or removed meanwhile (a failed assertion).
      const fresh = await deps.store.getSession(user.id, session.id);
      if (!fresh || !safeEqual(fresh.currentJti, principal.jti)) throw new AuthError('unauthorized');
      throw new AuthError('invalid_code');
    }
    throw error;
  }
  deps.log.info('reauthenticated', { flow: FLOW, userId: user.id, aal: 'aal2', method: 'webauthn' });
  return { reauthenticatedUntil: new Date((now + deps.config.reauthWindowSeconds) * 1000).toISOString(), aal: 'aal2' };
}
