import type { AuditActor } from '../domain/audit.js';
import { canonicalEmailOf, canonicalizeEmail } from '../domain/email.js';
import { AuthError, isConflict, ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { type PublicUser, toPublicUser, type User } from '../domain/types.js';
import { FieldChecker } from '../domain/validation.js';
import type { WriteOp } from '../ports/store.js';
import { notifyLocked, notifyPasswordChanged, notifyUnlocked } from './after-hooks.js';
import { mergeAttributes, readUserAttributes } from './attributes.js';
import { adminActor, auditOp, emailHashOf, recordAudit, sessionsRevokedOps } from './audit.js';
import { deleteAccount } from './delete-account.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';
import { passwordPolicy } from './password-policy.js';
import { newUser } from './registration.js';
import { revokeAllSessions } from './revoke.js';
import { liveSessionsWithout, ROLE_ATTEMPTS, ROLE_BATCH, roleUpdate, updateRemainingSessions } from './role-sessions.js';

/**
 * The user-management use cases behind both the admin API (`functions/admin-users.ts`) and the
 * `latch` CLI (`shared/cli/`): one implementation, so the HTTP routes and the command line
 * follow the same rules (field checks, self-protection, session revocation).
 */

/** What the admin flows use: no signing keys and no mail (the CLI has neither). */
export type AdminDeps = Pick<Deps, 'config' | 'store' | 'hasher' | 'clock' | 'log' | 'hooks' | 'breached' | 'commonPasswords' | 'auditKey'>;

/**
 * Who asks. `{ userId }` is an admin calling the HTTP API: the flow reads that user from the
 * store again (the token's role may be stale) and refuses a demoted, locked or deleted admin at
 * once. `'operator'` is someone with direct access to the table (the CLI): they hold the keys
 * to the store anyway, so there is nothing to check.
 */
export type Actor = { userId: string } | 'operator';

/**
 * The route keys of the admin flows, for `authz.denied` events (the flows serve the same
 * operations to the CLI, which is never refused).
 */
export const ADMIN_ROUTES = {
  list: 'GET /admin/users',
  create: 'POST /admin/users',
  show: 'GET /admin/users/{id}',
  update: 'PATCH /admin/users/{id}',
  delete: 'DELETE /admin/users/{id}',
  setPassword: 'PUT /admin/users/{id}/password',
  lock: 'POST /admin/users/{id}/lock',
  unlock: 'POST /admin/users/{id}/unlock',
  audit: 'GET /admin/audit',
  userAudit: 'GET /admin/users/{id}/audit',
  mfaReset: 'POST /admin/users/{id}/mfa/reset',
} as const;

type AdminRoute = (typeof ADMIN_ROUTES)[keyof typeof ADMIN_ROUTES];

/** Who acted, for the audit log: the admin behind the token, or the CLI's operator. */
export function actorOf(actor: Actor, request: RequestInfo | undefined): AuditActor {
  if (actor === 'operator') return { kind: 'operator', ...(request?.operator !== undefined ? { id: request.operator } : {}) };
  return adminActor(actor, request);
}

/**
 * Refuses an admin request with `403 forbidden` and its `authz.denied` event (subject: the
 * caller; written alone, since nothing changes).
 */
async function denied(deps: AdminDeps, actor: Actor, route: AdminRoute, request: RequestInfo | undefined): Promise<never> {
  if (actor !== 'operator') {
    await recordAudit(deps, { type: 'authz.denied', outcome: 'failure', userId: actor.userId, details: { route }, request });
  }
  throw forbidden();
}

/** Page sizes of `GET /admin/users`. */
export const LIST_LIMIT = { default: 50, max: 100 } as const;

// Ids are UUIDs (`randomId`). Anything else cannot exist, so it is a 404 without a read.
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A cursor is the opaque form of the users index's sort key `<canonical email>#<id>`.
// (An address may itself contain `#`, so the id is what follows the last one.)
const CURSOR_KEY = /^.+#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/is;

const notFound = () => new AuthError('not_found');
const forbidden = () => new AuthError('forbidden', messages.forbidden);

/**
 * Refuses a caller who is not, right now, an unlocked admin. The HTTP middleware already checked
 * the role in the access token; this re-read makes a demotion or a lock take effect on the very
 * next admin request instead of at the next renewal.
 */
export async function assertAdmin(deps: AdminDeps, actor: Actor, route: AdminRoute, request?: RequestInfo): Promise<void> {
  if (actor === 'operator') return;
  const caller = await deps.store.getUser(actor.userId);
  if (caller?.role !== 'admin' || caller.locked) await denied(deps, actor, route, request);
}

/** An admin may not lock, demote or delete their own account (there could be no way back). */
export async function assertNotSelf(deps: AdminDeps, actor: Actor, targetId: string, route: AdminRoute, request: RequestInfo | undefined): Promise<void> {
  if (actor !== 'operator' && actor.userId === targetId) await denied(deps, actor, route, request);
}

export async function loadUser(deps: Pick<Deps, 'store'>, id: string): Promise<User> {
  if (!ID.test(id)) throw notFound();
  const user = await deps.store.getUser(id);
  if (!user) throw notFound();
  return user;
}

function checkRole(deps: Pick<Deps, 'config'>, check: FieldChecker, role: string | undefined): void {
  if (role !== undefined && !deps.config.roles.includes(role)) check.add('role', messages.field.invalid);
}

/** Query of `GET /admin/users` (strings, as they come from a query string or the CLI). */
export interface ListUsersInput {
  limit?: string | number | undefined;
  cursor?: string | undefined;
  email?: string | undefined;
}

/** A page of users in canonical-email order; `nextCursor` is opaque. */
export interface UserListPage {
  users: PublicUser[];
  nextCursor: string | null;
}

function encodeCursor(key: string | null): string | null {
  return key === null ? null : Buffer.from(key, 'utf8').toString('base64url');
}

function decodeCursor(check: FieldChecker, cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const key = /^[A-Za-z0-9_-]{1,1400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  // A real sort key is at most 960 bytes of email + `#` + id; a longer one would be refused by
  // DynamoDB as an index key (over 1024 bytes), so it never reaches the store.
  if (!CURSOR_KEY.test(key) || Buffer.byteLength(key) > 1000) {
    check.add('cursor', messages.field.invalid);
    return undefined;
  }
  return key;
}

/**
 * Lists users, `limit` at a time (1 to 100, default 50), in canonical-email order. With `email`,
 * the exact account of that canonical address (or none): a lookup, not a search.
 */
export async function listUsers(deps: AdminDeps, actor: Actor, input: ListUsersInput, request?: RequestInfo): Promise<UserListPage> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.list, request);
  const check = new FieldChecker();
  const limit = check.limit(input.limit, LIST_LIMIT);
  const cursor = decodeCursor(check, input.cursor);
  check.throwIfAny();
  if (input.email !== undefined && input.email.trim() !== '') {
    // A malformed (or oversized) address has no account: no read, and never a key too large.
    const canonical = canonicalEmailOf(input.email);
    const user = canonical === undefined ? undefined : await deps.store.findUserByEmail(canonical);
    return { users: user ? [toPublicUser(user)] : [], nextCursor: null };
  }
  const page = await deps.store.listUsers({ limit, cursor: cursor ?? null });
  return { users: page.users.map(toPublicUser), nextCursor: encodeCursor(page.nextCursor) };
}

/** One user by id. */
export async function showUser(deps: AdminDeps, actor: Actor, id: string, request?: RequestInfo): Promise<PublicUser> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.show, request);
  return toPublicUser(await loadUser(deps, id));
}

/** One user by email (canonical match); `not_found` when there is none. The CLI's lookup. */
export async function findUserByEmail(deps: AdminDeps, actor: Actor, email: string, request?: RequestInfo): Promise<PublicUser> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.list, request);
  const canonical = canonicalEmailOf(email);
  const user = canonical === undefined ? undefined : await deps.store.findUserByEmail(canonical);
  if (!user) throw notFound();
  return toPublicUser(user);
}

/** Body of `POST /admin/users`. */
export interface CreateUserInput {
  email?: string | undefined;
  password?: string | undefined;
  role?: string | undefined;
  emailConfirmed?: boolean | undefined;
  /** The whole request body: declared custom attributes are read from its top-level members. */
  body?: Record<string, unknown> | undefined;
}

/**
 * Creates a user as an admin. Without a password the user cannot sign in until they use a
 * password reset (sign-in treats a missing hash like a wrong password). A taken email is a 422
 * here: the caller is an admin, so there is no enumeration to hide.
 */
export async function createUser(deps: AdminDeps, actor: Actor, input: CreateUserInput, request?: RequestInfo): Promise<PublicUser> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.create, request);
  const check = new FieldChecker();
  const email = check.email('email', input.email);
  const password = input.password === undefined ? undefined : check.password(input.password, undefined, passwordPolicy(deps, input.email));
  checkRole(deps, check, input.role);
  const attributes = input.body ? readUserAttributes(deps, input.body, { mode: 'create', actor: 'admin' }, check) : {};
  check.throwIfAny();
  if (email === undefined) throw new Error('unreachable: validated above');

  const passwordHash = password === undefined ? null : await deps.hasher.hash(password);
  const user = newUser(deps, {
    email,
    passwordHash,
    role: input.role ?? 'user',
    emailConfirmed: input.emailConfirmed ?? false,
    attributes,
  });
  try {
    await deps.store.commit([
      { type: 'createUser', user },
      await auditOp(deps, {
        type: 'admin.user_created',
        userId: user.id,
        actor: actorOf(actor, request),
        emailCanonical: user.emailCanonical,
        details: { role: user.role },
        request,
      }),
    ]);
  } catch (error) {
    if (isConflict(error, 'email_taken')) throw new ValidationError({ email: [messages.field.taken] });
    throw error;
  }
  deps.log.info('user created by admin', { flow: 'admin-users', userId: user.id, actor: actorId(actor) });
  return toPublicUser(user);
}

/** Body of `PATCH /admin/users/{id}`. */
export interface UpdateUserInput {
  email?: string | undefined;
  role?: string | undefined;
  emailConfirmed?: boolean | undefined;
  /** The whole request body: declared custom attributes are read from its top-level members. */
  body?: Record<string, unknown> | undefined;
}

/**
 * Updates email, role and confirmation state. An email set by an admin applies at once (no
 * confirmation round trip): the claim moves in the same transaction as the user, a pending
 * self-service change and its link are dropped, and so is any reset link (it went to the old
 * address). A role change applies to the user's live
 * sessions at once: every session item carries the role the authorizer and Latch's own routes
 * read, so the user write and the update of every live session go in one transaction,
 * conditioned on `sessionSeq` (a sign-in that lands after we listed the sessions makes us list
 * again) and on the role we read (two role changes cannot interleave). A sign-in or renewal
 * that read the old role fails its own `role` condition after this commit, so no session is
 * created or renewed with the old role. Sessions beyond one transaction (more than
 * {@link ROLE_BATCH}) follow in further commits, each conditioned on the new role still holding.
 * Under a stream of sign-ins of the same user that keeps moving `sessionSeq`, the last attempt
 * commits without that condition and then sweeps the sessions the sign-ins created meanwhile,
 * before answering: once the change has answered, every live session carries the new role.
 */
export async function updateUser(deps: AdminDeps, actor: Actor, id: string, input: UpdateUserInput, request?: RequestInfo): Promise<PublicUser> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.update, request);
  let user = await loadUser(deps, id);
  const check = new FieldChecker();
  const email = input.email === undefined ? undefined : check.email('email', input.email);
  checkRole(deps, check, input.role);
  const attributes = input.body ? readUserAttributes(deps, input.body, { mode: 'update', actor: 'admin' }, check) : {};
  check.throwIfAny();
  if (input.role !== undefined && input.role !== 'admin' && user.role === 'admin') await assertNotSelf(deps, actor, id, ADMIN_ROUTES.update, request);
  const attributesChanged = Object.keys(attributes).length > 0;
  if (email === undefined && input.role === undefined && input.emailConfirmed === undefined && !attributesChanged) return toPublicUser(user);

  let written: User;
  for (let attempt = 0; ; attempt++) {
    const lastAttempt = attempt + 1 >= ROLE_ATTEMPTS;
    // Also when the role is already the one asked for: a change whose sweep failed half-way is
    // completed by asking again (sessions that do not carry the role yet are updated).
    const roleChange = input.role;
    const set: Partial<User> = { updatedAt: nowIso(deps) };
    if (attributesChanged) set.attributes = mergeAttributes(user, attributes);
    if (input.role !== undefined) set.role = input.role;
    if (input.emailConfirmed !== undefined) set.emailConfirmed = input.emailConfirmed;
    // With a role change: the sessions listed are all the user has (no sign-in since), and the
    // role is still the one read (no concurrent role change). The last attempt drops the
    // `sessionSeq` condition so a stream of sign-ins cannot starve the change: it closes the door
    // (every sign-in from then on fails its role condition and retries with the new role) and
    // the sweep below updates the few sessions created between our listing and our commit.
    const guard = roleChange === undefined ? undefined : { role: user.role, ...(lastAttempt ? {} : { sessionSeq: user.sessionSeq }) };
    const sessions = roleChange === undefined ? [] : await liveSessionsWithout(deps, id, roleChange);
    const ops: WriteOp[] = [];
    // An account an admin confirms or gives an address is kept: a never-confirmed one stops expiring.
    const expiring = typeof user.expiresAt === 'number';
    if (email !== undefined && canonicalizeEmail(email) !== user.emailCanonical) {
      ops.push(
        // The old claim must still be the user's and the new one free: an email race has one winner.
        // (The new claim never expires.)
        {
          type: 'moveEmail',
          userId: id,
          from: user.emailCanonical,
          to: canonicalizeEmail(email),
          email,
          set: { ...set, unconfirmedEmail: null, ...(expiring ? { expiresAt: null } : {}) },
          ...(guard ? { guard } : {}),
        },
        // A pending confirmation link would confirm an address the admin just replaced.
        { type: 'deleteToken', userId: id, kind: 'confirmation' },
        // A reset link mailed to the old address must not recover the account any more.
        { type: 'deleteToken', userId: id, kind: 'reset' },
      );
    } else {
      if (email !== undefined) set.email = email; // the same address: stored in its canonical form
      if (expiring && input.emailConfirmed === true) {
        set.expiresAt = null;
        ops.push({ type: 'setClaimExpiry', emailCanonical: user.emailCanonical, userId: id, expiresAt: null });
      }
      ops.push({ type: 'updateUser', id, set, ...(guard ? { guard } : {}) });
    }
    ops.push(...sessions.slice(0, ROLE_BATCH).map((s) => roleUpdate(s, roleChange as string)));
    // The change's events, in its (first) commit: `admin.user_updated` and, for a new address, `email.changed`.
    ops.push(...(await updateEvents(deps, actor, user, { email, input, attributesChanged }, request)));
    const first = ops.find((op) => op.type === 'moveEmail' || op.type === 'updateUser');
    written =
      first?.type === 'moveEmail'
        ? { ...user, ...first.set, email: first.email, emailCanonical: first.to }
        : { ...user, ...(first?.type === 'updateUser' ? first.set : {}) };
    try {
      await deps.store.commit(ops);
    } catch (error) {
      if (isConflict(error, 'email_taken')) throw new ValidationError({ email: [messages.field.taken] });
      if (isConflict(error, 'not_found')) throw notFound();
      // A sign-in or another role change landed meanwhile, or a listed session ended: read again.
      const retry = roleChange !== undefined && (isConflict(error, 'user_changed') || isConflict(error, 'session_gone'));
      if (retry && !lastAttempt) {
        user = await loadUser(deps, id);
        continue;
      }
      if (isConflict(error, 'user_changed') || isConflict(error, 'session_gone')) {
        throw new ServiceUnavailableError('The user changed meanwhile. Please try again.', { cause: error });
      }
      throw error;
    }
    if (roleChange !== undefined && (sessions.length > ROLE_BATCH || lastAttempt)) await updateRemainingSessions(deps, id, roleChange);
    break;
  }
  deps.log.info('user updated by admin', { flow: 'admin-users', userId: id, actor: actorId(actor), fields: Object.keys(input) });
  // The record as written (no read after the commit, which could fail once the change is done).
  return toPublicUser(written);
}

/** Body of `PUT /admin/users/{id}/password`. */
export interface SetPasswordInput {
  password?: string | undefined;
  passwordConfirmation?: string | undefined;
}

/**
 * Sets a user's password ("how do I change a user's password programmatically?") and revokes
 * every session of the user in the same transaction. A pending invitation is settled by it:
 * the account is usable from now on and the invitation and reset links die.
 */
export async function setUserPassword(deps: AdminDeps, actor: Actor, id: string, input: SetPasswordInput, request?: RequestInfo): Promise<void> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.setPassword, request);
  const target = await loadUser(deps, id);
  const check = new FieldChecker();
  const password = check.password(input.password, input.passwordConfirmation, passwordPolicy(deps, target.email));
  check.throwIfAny();
  if (password === undefined) throw new Error('unreachable: validated above');
  const passwordHash = await deps.hasher.hash(password);
  await revoking(() =>
    revokeAllSessions(deps, id, {
      set: { passwordHash, invitationPending: false, updatedAt: nowIso(deps) },
      extraOps: [
        { type: 'deleteToken', userId: id, kind: 'reset' },
        { type: 'deleteToken', userId: id, kind: 'invitation' },
      ],
      audit: async ({ count }) => [
        await auditOp(deps, { type: 'admin.password_set', userId: id, actor: actorOf(actor, request), request }),
        ...(await sessionsRevokedOps(deps, { userId: id, count, reason: 'password_set', actor: actorOf(actor, request), request })),
      ],
    }),
  );
  deps.log.info('password set by admin', { flow: 'admin-users', userId: id, actor: actorId(actor) });
  await notifyPasswordChanged(deps, await loadUser(deps, id), 'admin');
}

/**
 * Locks a user: sets `locked` (and bumps `sessionEpoch`), then revokes every session in one
 * transaction with the lock (see `revokeAllSessions`), so no sign-in or renewal racing with the
 * lock leaves a usable session (`test/security/lock-races.security.test.ts`).
 * Sign-in then answers `403 account_locked` after a correct password, renewal `403
 * account_locked`, the authorizer denies, and a password reset sends no mail.
 */
export async function lockUser(deps: AdminDeps, actor: Actor, id: string, request?: RequestInfo): Promise<PublicUser> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.lock, request);
  await assertNotSelf(deps, actor, id, ADMIN_ROUTES.lock, request);
  await loadUser(deps, id);
  // First close the door: from this write on, every sign-in and renewal fails its own condition
  // (`unlocked`, `sessionEpoch`). Without it, a burst of sign-ins of the same user could keep
  // moving `sessionSeq` and starve the revoke-all below into a 503.
  try {
    await deps.store.commit([
      { type: 'updateUser', id, set: { locked: true, updatedAt: nowIso(deps) }, bumpEpoch: true },
      await auditOp(deps, { type: 'admin.locked', userId: id, actor: actorOf(actor, request), request }),
    ]);
  } catch (error) {
    if (isConflict(error, 'not_found')) throw notFound();
    throw error;
  }
  // Then delete every session, in one transaction with the (repeated) lock, as any revoke-all.
  const before = await revoking(() =>
    revokeAllSessions(deps, id, {
      set: { locked: true, updatedAt: nowIso(deps) },
      audit: ({ count }) => sessionsRevokedOps(deps, { userId: id, count, reason: 'lock', actor: actorOf(actor, request), request }),
    }),
  );
  deps.log.info('user locked', { flow: 'admin-users', userId: id, actor: actorId(actor), sessionEpoch: before.sessionEpoch });
  const locked = await loadUser(deps, id);
  await notifyLocked(deps, locked, actor === 'operator' ? null : actor.userId);
  return toPublicUser(locked);
}

/** Unlocks a user: sign-in works again; sessions revoked by the lock stay revoked. */
export async function unlockUser(deps: AdminDeps, actor: Actor, id: string, request?: RequestInfo): Promise<PublicUser> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.unlock, request);
  await loadUser(deps, id);
  try {
    await deps.store.commit([
      { type: 'updateUser', id, set: { locked: false, updatedAt: nowIso(deps) } },
      await auditOp(deps, { type: 'admin.unlocked', userId: id, actor: actorOf(actor, request), request }),
    ]);
  } catch (error) {
    if (isConflict(error, 'not_found')) throw notFound();
    throw error;
  }
  deps.log.info('user unlocked', { flow: 'admin-users', userId: id, actor: actorId(actor) });
  const unlocked = await loadUser(deps, id);
  await notifyUnlocked(deps, unlocked, actor === 'operator' ? null : actor.userId);
  return toPublicUser(unlocked);
}

/**
 * Deletes a user with its email claim, sessions and mail tokens (`deleteAccount`: one
 * transaction from one consistent read, conditioned on the user's email and `sessionSeq`, so
 * neither a racing sign-in nor a racing email change leaves a session or a claim behind).
 */
export async function deleteUser(deps: AdminDeps, actor: Actor, id: string, request?: RequestInfo): Promise<void> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.delete, request);
  await assertNotSelf(deps, actor, id, ADMIN_ROUTES.delete, request);
  if (!ID.test(id)) throw notFound();
  try {
    await deleteAccount(deps, id, {
      // `admin.user_deleted` carries the emailHash: the address's history stays findable, never the address.
      audit: async ({ user, sessions }) => [
        await auditOp(deps, { type: 'admin.user_deleted', userId: id, actor: actorOf(actor, request), emailCanonical: user.emailCanonical, request }),
        ...(await sessionsRevokedOps(deps, { userId: id, count: sessions, reason: 'deletion', actor: actorOf(actor, request), request })),
      ],
    });
  } catch (error) {
    if (isConflict(error, 'not_found')) throw notFound();
    throw error;
  }
  deps.log.info('user deleted by admin', { flow: 'admin-users', userId: id, actor: actorId(actor) });
}

/** Runs a revoke-all, turning "the user vanished meanwhile" into `not_found`. */
async function revoking(run: () => Promise<User>): Promise<User> {
  try {
    return await run();
  } catch (error) {
    if (isConflict(error, 'not_found')) throw notFound();
    throw error;
  }
}

/** The events of an admin update: `admin.user_updated` (fields, role change) and, for a new address, `email.changed`. */
async function updateEvents(
  deps: AdminDeps,
  actor: Actor,
  user: User,
  change: { email: string | undefined; input: UpdateUserInput; attributesChanged: boolean },
  request: RequestInfo | undefined,
) {
  const by = actorOf(actor, request);
  const fields = [
    ...(change.email !== undefined ? ['email'] : []),
    ...(change.input.role !== undefined ? ['role'] : []),
    ...(change.input.emailConfirmed !== undefined ? ['emailConfirmed'] : []),
    ...(change.attributesChanged ? ['attributes'] : []),
  ];
  const roleChange = change.input.role !== undefined && change.input.role !== user.role ? { roleFrom: user.role, roleTo: change.input.role } : {};
  const events = [await auditOp(deps, { type: 'admin.user_updated', userId: user.id, actor: by, details: { fields, ...roleChange }, request })];
  const to = change.email === undefined ? undefined : canonicalizeEmail(change.email);
  if (to !== undefined && to !== user.emailCanonical) {
    const [fromEmailHash, toEmailHash] = await Promise.all([emailHashOf(deps, user.emailCanonical), emailHashOf(deps, to)]);
    events.push(
      await auditOp(deps, {
        type: 'email.changed',
        userId: user.id,
        actor: by,
        emailCanonical: to,
        details: { fromEmailHash, toEmailHash, by: by.kind === 'operator' ? 'operator' : 'admin' },
        request,
      }),
    );
  }
  return events;
}

function actorId(actor: Actor): string {
  return actor === 'operator' ? 'operator' : actor.userId;
}
