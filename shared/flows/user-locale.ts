/**
 * The user's language (docs/specs/hosted-ui.md §8): `PATCH /me` with `locale` alone, and the
 * language chooser of the account page. A preference, not a credential: no current password, one
 * conditional write (the user must still exist), no audit event, no mail.
 */
import { AuthError, isConflict } from '../domain/errors.js';
import { type PublicUser, toPublicUser } from '../domain/types.js';
import { type Deps, nowIso, type Principal } from './deps.js';

/** True when a `PATCH /me` body changes nothing but `locale` (and sends no current password). */
export function localeOnly(
  input: { locale?: unknown; email?: unknown; password?: unknown; passwordConfirmation?: unknown; currentPassword?: unknown },
  attributes: Record<string, unknown>,
): boolean {
  return (
    input.locale !== undefined &&
    input.email === undefined &&
    input.password === undefined &&
    input.passwordConfirmation === undefined &&
    (input.currentPassword === undefined || input.currentPassword === '') &&
    Object.keys(attributes).length === 0
  );
}

/** Stores the caller's locale (`en`, `de`, or null). `locale` must be checked already. */
export async function setMyLocale(deps: Deps, principal: Principal, locale: string | null): Promise<PublicUser> {
  const user = await deps.store.getUser(principal.userId);
  if (!user) throw new AuthError('unauthorized');
  if ((user.locale ?? null) === locale) return toPublicUser(user);
  const updatedAt = nowIso(deps);
  try {
    await deps.store.commit([{ type: 'updateUser', id: user.id, set: { locale, updatedAt }, guard: { emailCanonical: user.emailCanonical } }]);
  } catch (error) {
    if (isConflict(error)) throw new AuthError('unauthorized');
    throw error;
  }
  return toPublicUser({ ...user, locale, updatedAt });
}
