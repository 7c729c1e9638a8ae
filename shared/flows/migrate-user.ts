import { isConflict } from '../domain/errors.js';
import { randomId } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import { logHookFailure, runLookupHook } from '../hooks/run.js';
import { auditOp } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';
import { checkUserFields } from './import-users.js';

/**
 * Lazy migration through the `migrateUser` hook (`docs/specs/import-export.md` §7). Called for
 * every unknown email (uniform timing among them) once the lockout check let the attempt through.
 * Whatever goes wrong (no hook, nothing returned, an invalid result, an error, a time-out) the
 * answer is undefined: the caller goes on as for an unknown email. A created user carries
 * argon2id of the submitted password (never a legacy hash) and the event `user.migrated`, in one
 * transaction conditioned on the email claim not existing.
 */

const RESULT_MEMBERS = ['emailConfirmed', 'role', 'attributes', 'createdAt', 'id'];

/** Asks the hook about an unknown email at sign-in; the user it vouched for (created now, or by a concurrent sign-in), or undefined. */
export async function migrateUserOnSignIn(deps: Deps, emailCanonical: string, password: string, request: RequestInfo): Promise<User | undefined> {
  if (!deps.hooks?.migrateUser || password === '') return undefined;
  return migrate(deps, emailCanonical, password, request);
}

/** The same for `POST /password-reset`: a user it vouches for is created without a password (the reset mail then goes out as for any account). */
export async function migrateUserOnPasswordReset(deps: Deps, emailCanonical: string, request: RequestInfo): Promise<User | undefined> {
  if (!deps.hooks?.migrateUser) return undefined;
  return migrate(deps, emailCanonical, null, request);
}

async function migrate(deps: Deps, emailCanonical: string, password: string | null, request: RequestInfo): Promise<User | undefined> {
  const result = await runLookupHook(
    deps,
    'migrateUser',
    { email: emailCanonical, password, trigger: password === null ? 'password_reset' : 'sign_in', request: { ip: request.ip, userAgent: request.userAgent } },
    deps.config.migrateUserTimeoutMs,
  );
  if (result === undefined || result === null) return undefined;
  const invalid = (reason: string) => {
    logHookFailure(deps, 'migrateUser', new TypeError(reason), 'hook returned an invalid user');
    return undefined;
  };
  if (typeof result !== 'object' || Array.isArray(result)) return invalid('the result must be an object');
  const unknown = Object.keys(result).find((key) => !RESULT_MEMBERS.includes(key));
  if (unknown !== undefined) return invalid(`unknown member ${unknown}`);
  const fields = checkUserFields(deps, result as Record<string, unknown>);
  if (!fields.ok) return invalid(fields.reason);

  const now = nowIso(deps);
  const user: User = {
    id: fields.value.id ?? randomId(),
    email: emailCanonical,
    emailCanonical,
    emailConfirmed: fields.value.emailConfirmed,
    unconfirmedEmail: null,
    passwordHash: password === null ? null : await deps.hasher.hash(password),
    role: fields.value.role,
    locked: false,
    invitedBy: null,
    invitationPending: false,
    sessionEpoch: 0,
    sessionSeq: 0,
    attributes: fields.value.attributes,
    createdAt: fields.value.createdAt ?? now,
    updatedAt: now,
  };
  try {
    await deps.store.commit([
      { type: 'createUser', user },
      await auditOp(deps, { type: 'user.migrated', userId: user.id, emailCanonical, details: { fromFormat: 'hook' }, request }),
    ]);
  } catch (error) {
    if (!isConflict(error)) throw error;
    // Two migrations of one email: the loser reads the winner's user and verifies against it.
    return deps.store.findUserByEmail(emailCanonical);
  }
  deps.log.info('user migrated by the migrateUser hook', { flow: 'migrate-user', userId: user.id });
  return user;
}
