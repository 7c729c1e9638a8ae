import { AuthError, isConflict, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { safeEqual } from '../domain/secrets.js';
import { amrOf, amrWithSecondFactor, normalizeTotpCode, otpauthUri } from '../domain/totp.js';
import { type PublicUser, toPublicUser, type User } from '../domain/types.js';
import type { WriteOp } from '../ports/store.js';
import { auditOp } from './audit.js';
import { type Deps, nowIso, nowSeconds, type Principal, type RequestInfo } from './deps.js';
import { codeSpentMeanwhile, newRecoveryCodes, recoveryCodesStatus } from './mfa-recovery-codes.js';
import { commitSpendingCode, loadCaller, recoveryCodeUsedOps, requireStepUp, type StepUpInput, totpStepOf } from './reauthenticate.js';
import { revokeAllSessions } from './revoke.js';
import { passwordOrProviderAmr } from './second-factor.js';
import { enqueueOp, prepareTemplateMail } from './send-mail.js';
import { newTotpSecret } from './totp-codes.js';

/**
 * TOTP (`docs/specs/mfa-and-passkeys.md` §6.1): enrolment (a pending secret, encrypted at rest,
 * for `AUTH_TOTP_ENROLLMENT_TTL_SECONDS`), confirmation by a code (TOTP on, recovery codes shown
 * once, other sessions revoked), disabling, and the status of `GET /me/mfa`.
 */

/** `GET /me/mfa`'s object. */
export interface MfaStatus {
  enabled: boolean;
  totp: { enabledAt: string } | null;
  passkeys: number;
  recoveryCodes: { remaining: number; createdAt: string } | null;
}

export function mfaStatusOf(user: User): MfaStatus {
  return {
    enabled: user.mfaEnabled === true,
    totp: user.totp ? { enabledAt: user.totp.enabledAt } : null,
    passkeys: user.passkeyCount ?? 0,
    recoveryCodes: recoveryCodesStatus(user),
  };
}

/** `GET /me/mfa`. */
export async function getMfaStatus(deps: Deps, principal: Principal): Promise<{ mfa: MfaStatus }> {
  const user = await deps.store.getUser(principal.userId);
  if (!user) throw new AuthError('unauthorized');
  return { mfa: mfaStatusOf(user) };
}

/** `POST /me/mfa/totp`'s answer: the secret for the authenticator app, shown until confirmed. */
export interface TotpEnrollment {
  totp: { secret: string; otpauthUri: string; expiresAt: string };
}

/**
 * `POST /me/mfa/totp` (R): a pending enrolment with a fresh 160-bit secret, encrypted at rest
 * (purpose `totp_pending`), replacing an earlier one. `404` when `AUTH_MFA=off`, `409
 * already_enabled` while TOTP is on (also when it was turned on concurrently: the write checks
 * the profile). A code given as the step-up proof is spent in the same write.
 */
export async function startTotpEnrollment(deps: Deps, principal: Principal, input: StepUpInput, request?: RequestInfo): Promise<TotpEnrollment> {
  if (deps.config.mfa === 'off') throw new AuthError('not_found');
  // Refused before the step-up proof is checked: a 409 spends no attempt and touches no counter.
  const current = await deps.store.getUser(principal.userId);
  if (!current) throw new AuthError('unauthorized');
  if (current.totp) throw new AuthError('already_enabled');
  const { user, proof } = await requireStepUp(deps, principal, input, 'mfa');
  if (user.totp) throw new AuthError('already_enabled');
  const secret = newTotpSecret();
  const expiresAt = nowSeconds(deps) + deps.config.totpEnrollmentTtlSeconds;
  const secretEnc = await deps.dataKeys.encrypt(secret, { purpose: 'totp_pending', userId: user.id });
  const ops: WriteOp[] = [
    { type: 'putTotpPending', pending: { userId: user.id, secretEnc, expiresAt } },
    proof ? { type: 'updateUser', id: user.id, guard: { totp: true }, spend: proof.spend } : { type: 'checkUser', id: user.id, guard: { totp: true } },
    ...(await recoveryCodeUsedOps(deps, user, proof, request, principal.sessionId)),
  ];
  try {
    await commitSpendingCode(deps, ops, codeSpentMeanwhile);
  } catch (error) {
    if (isConflict(error, 'user_changed')) throw new AuthError('already_enabled');
    throw error;
  }
  deps.log.info('TOTP enrolment started', { flow: 'mfa', userId: user.id });
  return { totp: { secret, otpauthUri: otpauthUri(deps.config.totpIssuer, user.email, secret), expiresAt: new Date(expiresAt * 1000).toISOString() } };
}

/** `POST /me/mfa/totp/confirm`'s answer. */
export interface TotpConfirmation {
  user: PublicUser;
  /** Shown once, when the user had none. */
  recoveryCodes?: string[];
}

/**
 * `POST /me/mfa/totp/confirm`: a code of the pending secret turns TOTP on. In one transaction
 * (`revokeAllSessions`, keeping the caller's): the pending item is spent (only the one that was
 * read, unexpired), the profile gets the factor (only while TOTP is off: two confirmations
 * racing), recovery codes when it had none, every other session is revoked, the caller's session
 * gets `otp` and `mfa` in its `amr` and `authTime` now; the event and the `mfaEnabled` notice.
 * A missing or wrong code is `422` and leaves the enrolment usable (not counted as an MFA failure).
 */
export async function confirmTotp(deps: Deps, principal: Principal, input: { code?: string | undefined }, request?: RequestInfo): Promise<TotpConfirmation> {
  const { user, session } = await loadCaller(deps, principal);
  const now = nowSeconds(deps);
  const pending = await deps.store.getTotpPending(user.id);
  if (!pending || pending.expiresAt <= now) throw new AuthError('invalid_token');
  if (input.code === undefined || input.code.trim() === '') throw new ValidationError({ code: [messages.field.blank] });
  const code = normalizeTotpCode(input.code);
  if (code === undefined) throw new ValidationError({ code: [messages.field.invalid] });
  const secret = await deps.dataKeys.decrypt(pending.secretEnc, { purpose: 'totp_pending', userId: user.id });
  if (!secret) throw new AuthError('invalid_token');
  const step = await totpStepOf(deps, secret.plaintext, code);
  if (step === undefined) throw new ValidationError({ code: [messages.field.invalid] });
  if (user.totp) throw new AuthError('already_enabled');

  const at = nowIso(deps);
  const secretEnc = await deps.dataKeys.encrypt(secret.plaintext, { purpose: 'totp', userId: user.id });
  const codes = user.recoveryCodes ? undefined : await newRecoveryCodes(deps);
  const firstFactor = !user.mfaEnabled;
  const mail = firstFactor
    ? await prepareTemplateMail(
        deps,
        user.email,
        'mfaEnabled',
        { appUrl: deps.config.appUrl, email: user.email, method: 'totp' },
        { userId: user.id, locale: user.locale, cap: null },
      )
    : undefined;
  const amr = amrWithSecondFactor(amrOf(session), 'otp');
  try {
    await revokeAllSessions(deps, user.id, {
      keepSessionId: session.id,
      guard: { totp: true },
      set: {
        totp: { secretEnc, lastStep: step, enabledAt: at },
        mfaEnabled: true,
        ...(codes ? { recoveryCodes: codes.stored, recoveryCodesCreatedAt: at } : {}),
        updatedAt: at,
      },
      extraOps: [
        { type: 'consumeTotpPending', userId: user.id, secretEnc: pending.secretEnc, now },
        { type: 'updateSession', userId: user.id, id: session.id, ifJti: principal.jti, set: { amr, authTime: now } },
        await auditOp(deps, { type: 'mfa.totp_enabled', userId: user.id, sessionId: session.id, details: { method: 'totp' }, request }),
        ...(mail ? [enqueueOp(mail)] : []),
      ],
    });
  } catch (error) {
    if (isConflict(error, 'token_mismatch')) {
      // The enrolment was spent or replaced meanwhile, or the caller's session renewed away.
      const again = await deps.store.getTotpPending(user.id);
      if (!again || !safeEqual(again.secretEnc, pending.secretEnc)) throw new AuthError('invalid_token');
      throw new AuthError('unauthorized');
    }
    if (isConflict(error, 'user_changed')) throw new AuthError('already_enabled');
    if (isConflict(error, 'not_found') || isConflict(error, 'session_gone')) throw new AuthError('unauthorized');
    if (error instanceof ServiceUnavailableError) throw error;
    throw error;
  }
  deps.log.info('TOTP enabled', { flow: 'mfa', userId: user.id });
  const fresh = await deps.store.getUser(user.id);
  if (!fresh) throw new AuthError('unauthorized');
  return { user: toPublicUser(fresh), ...(codes ? { recoveryCodes: codes.shown } : {}) };
}

/**
 * `DELETE /me/mfa/totp` (R): TOTP off (`404` while it is off). As no other second factor exists
 * yet, the user's recovery codes go too and `mfaEnabled` becomes false. Every other session is
 * revoked in the same transaction, with the event and the `mfaDisabled` notice. The write is
 * conditioned on the factor that was read (a concurrent re-enrolment makes it fail), and a code
 * given as proof is checked in it (not written: the factor it belongs to is removed).
 */
export async function disableTotp(deps: Deps, principal: Principal, input: StepUpInput, request?: RequestInfo): Promise<void> {
  const current = await deps.store.getUser(principal.userId);
  if (!current) throw new AuthError('unauthorized');
  if (!current.totp) throw new AuthError('not_found');
  // AUTH_MFA=required: the last second factor cannot be removed (a passkey left counts).
  if (deps.config.mfa === 'required' && (current.passkeyCount ?? 0) === 0) throw new AuthError('mfa_enrollment_required');
  const { user, session, proof } = await requireStepUp(deps, principal, input, 'mfa');
  if (!user.totp) throw new AuthError('not_found');
  const at = nowIso(deps);
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'mfaDisabled',
    { appUrl: deps.config.appUrl, email: user.email, method: 'totp' },
    { userId: user.id, locale: user.locale, cap: null },
  );
  const firstFactor = passwordOrProviderAmr(amrOf(session));
  const passkeysLeft = user.passkeyCount ?? 0;
  try {
    await revokeAllSessions(deps, user.id, {
      keepSessionId: session.id,
      // Passkeys left (part B): MFA stays on with its recovery codes; none added or removed meanwhile.
      guard: { totp: user.totp.secretEnc, passkeyCount: passkeysLeft },
      set: { mfaEnabled: passkeysLeft > 0, updatedAt: at },
      remove: passkeysLeft > 0 ? ['totp'] : ['totp', 'recoveryCodes', 'recoveryCodesCreatedAt'],
      ...(proof ? { spend: { ...proof.spend, conditionOnly: true } } : {}),
      extraOps: [
        // The caller's session keeps only its first factor: it no longer has a second one.
        { type: 'updateSession', userId: user.id, id: session.id, ifJti: principal.jti, set: { amr: firstFactor.length > 0 ? firstFactor : ['pwd'] } },
        await auditOp(deps, { type: 'mfa.totp_disabled', userId: user.id, sessionId: session.id, details: { method: 'totp' }, request }),
        enqueueOp(mail),
      ],
    });
  } catch (error) {
    if (isConflict(error, 'code_spent')) throw codeSpentMeanwhile();
    if (isConflict(error, 'user_changed')) throw new AuthError('not_found');
    if (isConflict(error, 'token_mismatch') || isConflict(error, 'session_gone') || isConflict(error, 'not_found')) throw new AuthError('unauthorized');
    throw error;
  }
  deps.log.info('TOTP disabled', { flow: 'mfa', userId: user.id });
}
