import type { MailToken, MailTokenKind, Session, User } from '../domain/types.js';

/**
 * One atomic write. A flow collects the writes of one use case and hands them to
 * {@link AuthStore.commit}, which applies all of them or none (a DynamoDB transaction; the
 * memory adapter checks every condition before it changes anything). Each write names the
 * condition that makes it safe; when one fails, `commit` throws a `ConflictError` whose reason
 * is the one written next to the operation here.
 */
export type WriteOp =
  /** Puts the user and claims its canonical email. `email_taken` when the claim exists. */
  | { type: 'createUser'; user: User }
  /**
   * Updates fields of an existing user (`not_found` when missing). The optional guards make it
   * conditional (`user_changed` when one fails); the bumps increment counters atomically.
   */
  | {
      type: 'updateUser';
      id: string;
      set?: Partial<Omit<User, 'id' | 'emailCanonical' | 'sessionEpoch' | 'sessionSeq'>>;
      guard?: UserGuard;
      bumpEpoch?: boolean;
      bumpSeq?: boolean;
    }
  /** Only checks the guard of a user (`not_found`, `user_changed`); writes nothing. */
  | { type: 'checkUser'; id: string; guard: UserGuard }
  /** Deletes the user and its email claim. `not_found` when the user is missing. */
  | { type: 'deleteUser'; id: string; emailCanonical: string; guard?: UserGuard }
  /**
   * Moves the user's email claim: the old claim must belong to the user (`user_changed`), the
   * new one must be free (`email_taken`). Sets `email` and `emailCanonical` (and `set`) on the
   * user in the same write; do not also send an `updateUser` for this user in one commit.
   */
  | {
      type: 'moveEmail';
      userId: string;
      from: string;
      to: string;
      email: string;
      set?: Partial<Omit<User, 'id' | 'email' | 'emailCanonical' | 'sessionEpoch' | 'sessionSeq'>>;
      guard?: UserGuard;
      /** Also bumps `sessionEpoch` (an email change that revokes sessions, e.g. with a new password). */
      bumpEpoch?: boolean;
    }
  /** Creates a session. */
  | { type: 'putSession'; session: Session }
  /**
   * Updates a live session. `session_gone` when it is missing; with `ifRenewalHash`,
   * `token_mismatch` when the current renewal hash differs (the token was spent meanwhile).
   */
  | {
      type: 'updateSession';
      userId: string;
      id: string;
      set: Partial<Omit<Session, 'id' | 'userId' | 'createdAt' | 'expiresAt' | 'rememberMe'>>;
      ifRenewalHash?: string;
    }
  /** Deletes a session whether or not it exists. */
  | { type: 'deleteSession'; userId: string; id: string }
  /** Stores a mail token, replacing the user's earlier token of the same kind. */
  | { type: 'putToken'; token: MailToken }
  /**
   * Spends a mail token: deletes it only if its hash matches and it has not expired at `now`
   * (epoch seconds). `token_mismatch` otherwise, so two concurrent uses cannot both succeed.
   */
  | { type: 'consumeToken'; userId: string; kind: MailTokenKind; hash: string; now: number }
  /** Deletes a mail token whether or not it exists. */
  | { type: 'deleteToken'; userId: string; kind: MailTokenKind };

/** Conditions on a user item checked in the same transaction as the rest of the writes. */
export interface UserGuard {
  /** The user's `sessionEpoch` must still be this (no revoke-all happened meanwhile). */
  sessionEpoch?: number;
  /** The user's `sessionSeq` must still be this (no session was created meanwhile). */
  sessionSeq?: number;
  /** The user's `sessionSeq` must be at most this (at most so many sessions were created meanwhile). */
  sessionSeqAtMost?: number;
  /** The user must not be locked. */
  unlocked?: boolean;
  /** The user's password hash must still be this (null: still has none). */
  passwordHash?: string | null;
  /** The user's canonical email must still be this (no email change meanwhile). */
  emailCanonical?: string;
  /** The user's role must still be this (no role change meanwhile). */
  role?: string;
}

/** Everything stored in one user's partition, read at once (see {@link AuthStore.listUserItems}). */
export interface UserItems {
  user: User | undefined;
  /** Expired ones included (callers filter by time). */
  sessions: Session[];
  tokens: MailToken[];
}

/**
 * A failed-sign-in counter of one scope (a canonical email or a source address), as stored.
 * Times are epoch seconds. The counter lives from its first failure until `windowEnds`, or
 * until `lockedUntil` once the limit was reached (whichever is later).
 */
export interface FailureCounter {
  scope: string;
  /** Failures counted in the current window. */
  count: number;
  /** End of the window that began with the first counted failure. */
  windowEnds: number;
  /** End of the lockout, set once by the failure that reached the limit; null before. */
  lockedUntil: number | null;
}

/** How {@link AuthStore.recordFailure} counts: the window, the limit and the lockout length. */
export interface FailurePolicy {
  /** Epoch seconds of this failure. */
  now: number;
  /** A counter lives this long from its first failure. */
  windowSeconds: number;
  /** The count at which the lockout starts. */
  max: number;
  /** The lockout lasts this long from the failure that reached `max`. */
  lockoutSeconds: number;
}

/** What {@link AuthStore.recordFailure} did. */
export interface FailureRecord {
  /** The count after this failure (failures that raced with it included). */
  count: number;
  /** End of the lockout, if one is running. */
  lockedUntil: number | null;
  /** True for exactly one failure per lockout: the one that started it. */
  justLocked: boolean;
}

/** A page of users for admin listings. */
export interface UserPage {
  users: User[];
  nextCursor: string | null;
}

/**
 * The persistence port of every flow: reads, plus {@link commit} for atomic writes. One port
 * rather than one per entity because most use cases write users, sessions and tokens in one
 * transaction (a sign-in is conditioned on the user, a password reset spends a token, changes
 * the user and deletes sessions at once). Reads are strongly consistent.
 */
export interface AuthStore {
  getUser(id: string): Promise<User | undefined>;
  findUserByEmail(emailCanonical: string): Promise<User | undefined>;
  /** Users ordered by canonical email (admin listing). `cursor` comes from a previous page. */
  listUsers(options: { limit: number; cursor?: string | null }): Promise<UserPage>;
  getSession(userId: string, sessionId: string): Promise<Session | undefined>;
  /** Every stored session of the user, expired ones included (callers filter by time). */
  listSessions(userId: string): Promise<Session[]>;
  getToken(userId: string, kind: MailTokenKind): Promise<MailToken | undefined>;
  /**
   * The live failure counters of these scopes at `now` (epoch seconds): one strongly consistent
   * read each, in parallel. A counter whose window and lockout are both over is left out, even
   * if the table still holds it (DynamoDB's TTL deletes late).
   */
  getCounters(scopes: string[], now: number): Promise<FailureCounter[]>;
  /**
   * Counts one failed sign-in for a scope with an atomic increment (never read-modify-write),
   * so concurrent failures are all counted. A counter that is missing or over starts a new
   * window of `windowSeconds`. The failure whose count reaches `max` starts the lockout
   * (`lockedUntil = now + lockoutSeconds`) and is the only one that gets `justLocked`; later
   * failures never move `lockedUntil`.
   */
  recordFailure(scope: string, policy: FailurePolicy): Promise<FailureRecord>;
  /** Deletes a scope's failure counter whether or not it exists. */
  clearCounter(scope: string): Promise<void>;
  /**
   * The user, its sessions and its mail tokens in one strongly consistent read (one Query of the
   * user's partition on DynamoDB), so a deletion sees a single consistent picture of them.
   */
  listUserItems(userId: string): Promise<UserItems>;
  /**
   * Applies all writes or none. Throws `ConflictError` naming the failed condition. As in a
   * DynamoDB transaction, at most 100 writes, and no two of them may touch the same item.
   */
  commit(ops: WriteOp[]): Promise<void>;
}

/** A counter counts while its window or its lockout runs; after both it is as good as gone. */
export function counterIsLive(counter: FailureCounter, now: number): boolean {
  return counter.windowEnds > now || (counter.lockedUntil !== null && counter.lockedUntil > now);
}

/** The items a write touches, as `kind:key`; the same item twice in one commit is a bug. */
export function itemsOf(op: WriteOp): string[] {
  switch (op.type) {
    case 'createUser':
      return [`user:${op.user.id}`, `claim:${op.user.emailCanonical}`];
    case 'updateUser':
    case 'checkUser':
      return [`user:${op.id}`];
    case 'deleteUser':
      return [`user:${op.id}`, `claim:${op.emailCanonical}`];
    case 'moveEmail':
      return [`user:${op.userId}`, `claim:${op.from}`, `claim:${op.to}`];
    case 'putSession':
      return [`session:${op.session.userId}/${op.session.id}`];
    case 'updateSession':
    case 'deleteSession':
      return [`session:${op.userId}/${op.id}`];
    case 'putToken':
      return [`token:${op.token.userId}/${op.token.kind}`];
    case 'consumeToken':
    case 'deleteToken':
      return [`token:${op.userId}/${op.kind}`];
  }
}

/** Rejects what DynamoDB rejects: more than 100 writes, or two writes on one item. */
export function assertDistinctItems(ops: WriteOp[]): void {
  if (ops.length > 100) throw new Error(`a commit takes at most 100 writes, got ${ops.length}`);
  const seen = new Set<string>();
  for (const item of ops.flatMap(itemsOf)) {
    if (seen.has(item)) throw new Error(`two writes on one item in a commit: ${item.split(':')[0]}`);
    seen.add(item);
  }
}
