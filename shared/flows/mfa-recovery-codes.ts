import { AuthError, isConflict, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { formatRecoveryCode, generateRecoveryCode, normalizeRecoveryCode, RECOVERY_CODE_COUNT, remainingRecoveryCodes } from '../domain/recovery-codes.js';
import type { RecoveryCodeEntry, User } from '../domain/types.js';
import type { WriteOp } from '../ports/store.js';
import { auditOp } from './audit.js';
import { type Deps, nowIso, type Principal, type RequestInfo } from './deps.js';
import { commitSpendingCode, matchRecoveryCode, recoveryCodeUsedOps, requireStepUp, type StepUpInput } from './reauthenticate.js';
import { enqueueOp, prepareTemplateMail } from './send-mail.js';

/**
 * Recovery codes (`docs/specs/mfa-and-passkeys.md` §6.2): made with the first second factor,
 * replaced by `POST /me/mfa/recovery-codes`, each spent once. Only low-cost argon2id hashes are
 * stored; the codes themselves are shown once.
 */

/** A fresh set: the codes to show once (`XXXX-XXXX-XXXX-XXXX`) and what is stored (hashes by random id). */
export async function newRecoveryCodes(deps: Deps): Promise<{ shown: string[]; stored: Record<string, RecoveryCodeEntry> }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  const hashes = await Promise.all(codes.map((code) => deps.hasher.hashLookupSecret(code)));
  const stored: Record<string, RecoveryCodeEntry> = {};
  // Ids are positions: they say nothing about the code, and name the attribute path a use sets.
  hashes.forEach((hash, i) => {
    stored[`c${i}`] = { hash };
  });
  return { shown: codes.map(formatRecoveryCode), stored };
}

/**
 * `POST /me/mfa/recovery-codes` (R): replaces every code with a fresh set (`409
 * mfa_not_enabled` without a second factor), with the `mfa.recovery_codes_regenerated` event
 * and the `recoveryCodesRegenerated` notice in the same write. A recovery code given as the
 * step-up proof is checked in that write (unused), not marked: the set it belonged to is gone.
 */
export async function regenerateRecoveryCodes(
  deps: Deps,
  principal: Principal,
  input: StepUpInput,
  request?: RequestInfo,
): Promise<{ recoveryCodes: string[] }> {
  // Refused before the step-up proof is checked: a 409 spends no attempt and touches no counter.
  const current = await deps.store.getUser(principal.userId);
  if (!current) throw new AuthError('unauthorized');
  if (!current.mfaEnabled) throw new AuthError('mfa_not_enabled');
  const { user, proof } = await requireStepUp(deps, principal, input, 'mfa');
  if (!user.mfaEnabled) throw new AuthError('mfa_not_enabled');
  const { shown, stored } = await newRecoveryCodes(deps);
  const mail = await prepareTemplateMail(
    deps,
    user.email,
    'recoveryCodesRegenerated',
    { appUrl: deps.config.appUrl, email: user.email },
    { userId: user.id, locale: user.locale, cap: null },
  );
  const ops: WriteOp[] = [
    {
      type: 'updateUser',
      id: user.id,
      set: { recoveryCodes: stored, recoveryCodesCreatedAt: nowIso(deps), updatedAt: nowIso(deps) },
      guard: { mfaEnabled: true },
      ...(proof ? { spend: { ...proof.spend, conditionOnly: proof.method === 'recovery_code' } } : {}),
    },
    await auditOp(deps, { type: 'mfa.recovery_codes_regenerated', userId: user.id, sessionId: principal.sessionId, request }),
    enqueueOp(mail),
  ];
  try {
    await commitSpendingCode(deps, ops, codeSpentMeanwhile);
  } catch (error) {
    if (isConflict(error, 'user_changed')) throw new AuthError('mfa_not_enabled');
    throw error;
  }
  deps.log.info('recovery codes regenerated', { flow: 'mfa', userId: user.id });
  return { recoveryCodes: shown };
}

/**
 * Spends one recovery code on its own (the second step of a sign-in calls this, or joins
 * {@link recoveryCodeSpendOps} to its own transaction): `invalid_code` unless `code` is one of
 * the user's unused codes. The code is marked used on the condition that it is still unused,
 * so of two requests with one code exactly one succeeds; the `recovery_code.used` event and the
 * `recoveryCodeUsed` notice go in the same write. Returns the codes left.
 */
export async function consumeRecoveryCode(deps: Deps, user: User, code: string, request?: RequestInfo): Promise<{ remaining: number }> {
  const ops = await recoveryCodeSpendOps(deps, user, code, request);
  if (!ops) throw new AuthError('invalid_code');
  await commitSpendingCode(deps, ops.ops, () => new AuthError('invalid_code'));
  return { remaining: ops.remaining };
}

/**
 * The writes that spend a recovery code (undefined when `code` matches none of the user's
 * unused codes): the conditional mark, its event and its notice. For a caller that creates
 * a session in the same transaction, the user update here is the one write of the profile.
 */
export async function recoveryCodeSpendOps(
  deps: Deps,
  user: User,
  code: string,
  request?: RequestInfo,
): Promise<{ ops: WriteOp[]; remaining: number; codeId: string } | undefined> {
  const normalized = normalizeRecoveryCode(code);
  if (normalized === undefined) return undefined;
  const codeId = await matchRecoveryCode(deps, user, normalized);
  if (codeId === undefined) return undefined;
  const remaining = remainingRecoveryCodes(user.recoveryCodes) - 1;
  const proof = { method: 'recovery_code' as const, spend: { recoveryCode: { id: codeId, usedAt: nowIso(deps) } }, remaining };
  const ops: WriteOp[] = [{ type: 'updateUser', id: user.id, spend: proof.spend }, ...(await recoveryCodeUsedOps(deps, user, proof, request))];
  return { ops, remaining, codeId };
}

/** Unused codes of a user, for `GET /me/mfa` and answers. */
export function recoveryCodesStatus(user: User): { remaining: number; createdAt: string } | null {
  if (!user.recoveryCodes) return null;
  return { remaining: remainingRecoveryCodes(user.recoveryCodes), createdAt: user.recoveryCodesCreatedAt ?? user.updatedAt };
}

/** An (R) route whose code was spent by a concurrent request: as a wrong code. */
export const codeSpentMeanwhile = () => new ValidationError({ code: [messages.field.invalid] });
