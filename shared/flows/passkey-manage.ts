import { AuthError, isConflict, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import {
  DEFAULT_PASSKEY_NAME,
  derivedSignInMethods,
  MAX_PASSKEY_NAME_LENGTH,
  type PublicPasskey,
  signInMethodsOf,
  toPublicPasskey,
} from '../domain/passkeys.js';
import { amrOf } from '../domain/totp.js';
import type { UserAdjust } from '../ports/store.js';
import { auditOp } from './audit.js';
import { type Deps, nowIso, type Principal, type RequestInfo } from './deps.js';
import { codeSpentMeanwhile } from './mfa-recovery-codes.js';
import { recoveryCodeUsedOps, requireStepUp, type StepUpInput } from './reauthenticate.js';
import { revokeAllSessions } from './revoke.js';
import { passwordOrProviderAmr } from './second-factor.js';
import { enqueueOp, prepareTemplateMail } from './send-mail.js';

/**
 * Managing one's passkeys (`docs/specs/mfa-and-passkeys.md` §7.1): list, rename, remove. Kept
 * apart from the ceremonies (`passkeys.ts`, `passkey-ceremony.ts`) so that the hosted pages'
 * bundle does not carry `@simplewebauthn/server`.
 */

const FLOW = 'passkeys';

/** A passkey's name: trimmed, `Passkey` when blank (or blank refused when `required`), at most 64 characters. */
export function passkeyName(name: string | undefined, required: boolean): string {
  const trimmed = (name ?? '').trim();
  if (trimmed === '') {
    if (required) throw new ValidationError({ name: [messages.field.blank] });
    return DEFAULT_PASSKEY_NAME;
  }
  if ([...trimmed].length > MAX_PASSKEY_NAME_LENGTH) throw new ValidationError({ name: [messages.field.tooLong(MAX_PASSKEY_NAME_LENGTH)] });
  return trimmed;
}

/** `GET /me/passkeys`. */
export async function listMyPasskeys(deps: Deps, principal: Principal): Promise<{ passkeys: PublicPasskey[] }> {
  return { passkeys: (await deps.store.listPasskeys(principal.userId)).map(toPublicPasskey) };
}

/** A passkey id from a path: base64url within bounds, else it cannot exist (404 without a read). */
function pathId(id: string | undefined): string {
  if (id === undefined || id.length === 0 || id.length > 1000 || !/^[A-Za-z0-9_-]+$/.test(id)) throw new AuthError('not_found');
  return id;
}

/** `PATCH /me/passkeys/{id}`: renames a passkey of the caller. */
export async function renamePasskey(
  deps: Deps,
  principal: Principal,
  id: string | undefined,
  input: { name?: string | undefined },
  request?: RequestInfo,
): Promise<{ passkey: PublicPasskey }> {
  const credentialId = pathId(id);
  const passkey = await deps.store.getPasskey(principal.userId, credentialId);
  if (!passkey) throw new AuthError('not_found');
  const name = passkeyName(input.name, true);
  try {
    await deps.store.commit([
      { type: 'updatePasskey', userId: principal.userId, id: credentialId, set: { name } },
      await auditOp(deps, { type: 'passkey.renamed', userId: principal.userId, sessionId: principal.sessionId, details: { credentialId }, request }),
    ]);
  } catch (error) {
    if (isConflict(error, 'not_found')) throw new AuthError('not_found');
    throw error;
  }
  return { passkey: toPublicPasskey({ ...passkey, name }) };
}

/** Attempts of a removal when the profile changed between read and write. */
const REMOVE_ATTEMPTS = 5;

/**
 * `DELETE /me/passkeys/{id}` (R): removes a passkey and its claim. Never the last sign-in
 * method (`409 last_sign_in_method`, also when two removals race: the decrement of
 * `signInMethods` is conditioned on it staying above 1). The last second factor turns MFA off as
 * `DELETE /me/mfa/totp` does (recovery codes gone, other sessions revoked), conditioned on no
 * factor having been added meanwhile.
 */
export async function removePasskey(deps: Deps, principal: Principal, id: string | undefined, input: StepUpInput, request?: RequestInfo): Promise<void> {
  const credentialId = pathId(id);
  const [current, target] = await Promise.all([deps.store.getUser(principal.userId), deps.store.getPasskey(principal.userId, credentialId)]);
  if (!current) throw new AuthError('unauthorized');
  if (!target) throw new AuthError('not_found');
  // Refused before the step-up proof is checked: a 409 spends no attempt and touches no counter.
  if (target.discoverable && signInMethodsOf(current) <= 1) throw new AuthError('last_sign_in_method');
  const { session, proof } = await requireStepUp(deps, principal, input, FLOW);
  for (let attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
    const [user, passkey] = await Promise.all([deps.store.getUser(principal.userId), deps.store.getPasskey(principal.userId, credentialId)]);
    if (!user) throw new AuthError('unauthorized');
    if (!passkey) throw new AuthError('not_found');
    const signIn = passkey.discoverable;
    if (signIn && signInMethodsOf(user) <= 1) throw new AuthError('last_sign_in_method');
    const count = user.passkeyCount ?? 0;
    const lastFactor = count <= 1 && !user.totp;
    const derived = derivedSignInMethods(user);
    const adjust: UserAdjust = { passkeyCount: -1, ...(signIn ? { signInMethods: { delta: -1, derived } } : {}) };
    const guard = {
      passwordHash: user.passwordHash,
      passkeyCount: count,
      ...(signIn ? { signInMethodsAbove: { min: 1, derived } } : {}),
    };
    const removed = await prepareTemplateMail(
      deps,
      user.email,
      'passkeyRemoved',
      { appUrl: deps.config.appUrl, email: user.email, name: passkey.name },
      { userId: user.id, locale: user.locale, cap: null },
    );
    const event = await auditOp(deps, { type: 'passkey.removed', userId: user.id, sessionId: session.id, details: { credentialId, lastFactor }, request });
    const codeOps = await recoveryCodeUsedOps(deps, user, lastFactor ? null : proof, request, session.id);
    try {
      if (lastFactor) {
        const disabled = await prepareTemplateMail(
          deps,
          user.email,
          'mfaDisabled',
          { appUrl: deps.config.appUrl, email: user.email, method: 'webauthn' },
          { userId: user.id, locale: user.locale, cap: null },
        );
        const firstFactor = passwordOrProviderAmr(amrOf(session));
        await revokeAllSessions(deps, user.id, {
          keepSessionId: session.id,
          guard: { ...guard, totp: true },
          precheck: (fresh) => {
            if ((fresh.passkeyCount ?? 0) !== count || fresh.totp) throw new ServiceUnavailableError('Your account changed meanwhile. Please try again.');
            if (signIn && signInMethodsOf(fresh) <= 1) throw new AuthError('last_sign_in_method');
          },
          set: { mfaEnabled: false, updatedAt: nowIso(deps) },
          remove: ['recoveryCodes', 'recoveryCodesCreatedAt'],
          adjust,
          ...(proof ? { spend: { ...proof.spend, conditionOnly: true } } : {}),
          extraOps: [
            { type: 'deletePasskey', userId: user.id, id: credentialId },
            {
              type: 'updateSession',
              userId: user.id,
              id: session.id,
              ifJti: principal.jti,
              set: { amr: firstFactor.length > 0 ? firstFactor : amrOf(session) },
            },
            event,
            enqueueOp(removed),
            enqueueOp(disabled),
          ],
        });
      } else {
        await deps.store.commit([
          { type: 'deletePasskey', userId: user.id, id: credentialId },
          { type: 'updateUser', id: user.id, set: { updatedAt: nowIso(deps) }, guard, adjust, ...(proof ? { spend: proof.spend } : {}) },
          event,
          enqueueOp(removed),
          ...codeOps,
        ]);
      }
    } catch (error) {
      if (isConflict(error, 'code_spent')) throw codeSpentMeanwhile();
      if (isConflict(error, 'user_changed')) continue; // read again: the next round decides (409, or the other path)
      if (isConflict(error, 'not_found')) throw new AuthError('not_found');
      if (isConflict(error, 'token_mismatch') || isConflict(error, 'session_gone')) throw new AuthError('unauthorized');
      throw error;
    }
    deps.log.info('passkey removed', { flow: FLOW, userId: user.id, lastFactor });
    return;
  }
  throw new ServiceUnavailableError('Too many concurrent changes to this account. Please try again.');
}
