import { isConflict } from '../domain/errors.js';
import { formatHashOf, isImportFormat, isWeakFormat, type LegacyEngines, type StoredFormat, verifyLegacyHash } from '../domain/legacy-hashes.js';
import type { User } from '../domain/types.js';
import { auditOp } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';

/**
 * Passwords of imported users (`docs/specs/import-export.md` §5): a user item whose
 * `passwordFormat` names a legacy format is verified with that format's function, and a success
 * replaces the hash by argon2id of the submitted password.
 *
 * Timing: a legacy verification costs what the legacy system chose (Pow's PBKDF2-SHA512 at
 * 100,000 iterations about 47 ms, bcrypt cost 12 about 241 ms) against about 9 ms for argon2id, so
 * an imported account can be told apart by timing until its first sign-in (README, "Import and
 * export"). Unknown emails keep the one dummy argon2id verification: that path is unchanged.
 */

/** The fields that describe a legacy hash, cleared: for every write that sets a new argon2id `passwordHash`. */
export const CLEARED_LEGACY_PASSWORD = {
  passwordFormat: null,
  passwordPepperId: null,
  passwordSalt: null,
  passwordSaltPosition: null,
} as const satisfies Partial<User>;

/**
 * The legacy format `user.passwordHash` is in, or undefined when it is argon2id (no
 * `passwordFormat`, or a plain `$argon2id$…` that a Latch flow wrote over an imported hash, e.g. a
 * password reset that left the format behind).
 */
export function legacyFormatOf(user: Pick<User, 'passwordFormat' | 'passwordHash'>): StoredFormat | undefined {
  const format = user.passwordFormat;
  if (!format || !user.passwordHash || !isImportFormat(format) || isWeakFormat(format)) return undefined;
  if (format !== 'argon2' && user.passwordHash.startsWith('$argon2')) return undefined;
  return format;
}

/** The engines of a verification: argon2 through the deps' hasher, bcrypt through the legacy port. */
function enginesOf(deps: Pick<Deps, 'hasher' | 'legacy'>): LegacyEngines {
  return {
    argon2Verify: (hash, password) => deps.hasher.verify(hash, password),
    bcryptVerify: (hash, password) => (deps.legacy ? deps.legacy.bcryptVerify(hash, password) : Promise.resolve(false)),
  };
}

/**
 * Whether `password` is the user's, whatever format their hash is in. Never throws for a wrong
 * password or a broken hash.
 */
export async function verifyUserPassword(deps: Pick<Deps, 'hasher' | 'legacy' | 'log'>, user: User, password: string): Promise<boolean> {
  const stored = user.passwordHash;
  if (!stored) return false;
  const format = legacyFormatOf(user);
  if (format === undefined) return deps.hasher.verify(stored, password);
  const hash = formatHashOf(format, stored);
  if (hash === undefined) return false;
  let pepper: string | undefined;
  if (user.passwordPepperId) {
    pepper = (await deps.legacy?.peppers())?.get(user.passwordPepperId);
    if (pepper === undefined) {
      // A deployment fault (the secret lost an entry): logged by id, never by value.
      deps.log.error('pepper of an imported hash not found', { flow: 'legacy-passwords', userId: user.id, pepperId: user.passwordPepperId });
      return false;
    }
  }
  return verifyLegacyHash({ format, hash, pepper, salt: user.passwordSalt, saltPosition: user.passwordSaltPosition }, password, enginesOf(deps));
}

/**
 * The sign-in's password check (the one call of `signIn`): verifies, and after a successful
 * legacy verification replaces the hash by argon2id of `password` in one conditional write
 * (`passwordHash = :legacy`, so a password change in between wins) with the event
 * `password.upgraded`. `user` is then updated in place to the stored state, so the session's
 * own guard (`passwordHash`) holds. A lost race leaves `user` as read: the session's guard then
 * refuses the sign-in, as for any password change during a sign-in.
 */
export async function verifySignInPassword(deps: Deps, user: User, password: string, request: RequestInfo): Promise<boolean> {
  const format = legacyFormatOf(user);
  const ok = await verifyUserPassword(deps, user, password);
  if (!ok || format === undefined || !user.passwordHash) return ok;
  const upgraded = { ...CLEARED_LEGACY_PASSWORD, passwordHash: await deps.hasher.hash(password), passwordUpgradedAt: nowIso(deps) };
  try {
    await deps.store.commit([
      { type: 'updateUser', id: user.id, set: upgraded, guard: { passwordHash: user.passwordHash } },
      await auditOp(deps, { type: 'password.upgraded', userId: user.id, emailCanonical: user.emailCanonical, details: { fromFormat: format }, request }),
    ]);
  } catch (error) {
    if (isConflict(error)) {
      deps.log.info('legacy hash changed during its upgrade: the newer one stays', { flow: 'legacy-passwords', userId: user.id });
      return ok;
    }
    throw error;
  }
  Object.assign(user, upgraded);
  deps.log.info('legacy password hash upgraded', { flow: 'legacy-passwords', userId: user.id, fromFormat: format });
  return ok;
}
