import type { AuditEvent } from '../domain/audit.js';
import type { Identity, OAuthItem, OAuthItemKind } from '../domain/oauth.js';
import type { OAuth2Code } from '../domain/oauth2.js';
import type { Passkey, WebauthnBinding, WebauthnChallenge } from '../domain/passkeys.js';
import type { MailToken, MailTokenKind, MfaChallenge, Session, TotpPending, User } from '../domain/types.js';
import type { MailMessage } from './services.js';

/**
 * One atomic write. A flow collects the writes of one use case and hands them to
 * {@link AuthStore.commit}, which applies all of them or none (a DynamoDB transaction; the
 * memory adapter checks every condition before it changes anything). Each write names the
 * condition that makes it safe; when one fails, `commit` throws a `ConflictError` whose reason
 * is the one written next to the operation here.
 */
export type WriteOp =
  /**
   * Puts the user and claims its canonical email. `email_taken` when the claim exists, unless it
   * belongs to a never-confirmed account that expired (at the store's clock): that claim is
   * replaced. With `user.expiresAt`, the user and the claim carry it as their TTL.
   */
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
      /** Removes these second-factor attributes (TOTP off, the last factor gone). */
      remove?: Array<'totp' | 'recoveryCodes' | 'recoveryCodesCreatedAt'>;
      /**
       * Spends a second-factor code in this write (`docs/specs/mfa-and-passkeys.md` §12):
       * `totpStep` becomes the user's `totp.lastStep` on the condition that it is above it;
       * `recoveryCode` marks that code used on the condition that it exists unused. `code_spent`
       * when one of these conditions fails (a replay, or two requests with one code), also when
       * another guard of the write fails too (a spent code is final). A TOTP step is recorded
       * beside the user record, not in it (on DynamoDB the small `PROFILE#SEQ` item's
       * `totpStep`, issue 17: a spend alone leaves the user item and its users-index entry
       * unwritten); reads answer `totp.lastStep` as the larger of the record's (its enrolment)
       * and the last step spent, and the condition holds against both.
       */
      spend?: CodeSpend;
      /** Counter changes of passkeys (`docs/specs/mfa-and-passkeys.md` §12), see {@link UserAdjust}. */
      adjust?: UserAdjust;
    }
  /** Only checks the guard of a user (`not_found`, `user_changed`); writes nothing. */
  | { type: 'checkUser'; id: string; guard: UserGuard }
  /** Deletes the user and its email claim. `not_found` when the user is missing. */
  | { type: 'deleteUser'; id: string; emailCanonical: string; guard?: UserGuard }
  /**
   * Moves the user's email claim: the old claim must belong to the user (`user_changed`), the
   * new one must be free (`email_taken`; an expired never-confirmed account's claim is free). Sets `email` and `emailCanonical` (and `set`) on the
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
  /**
   * Sets (a number) or removes (null) the expiry of an email claim, which must still belong to
   * `userId` (`user_changed` otherwise). Goes with an `updateUser` setting the same `expiresAt`,
   * so a never-confirmed account and its claim expire together.
   */
  | { type: 'setClaimExpiry'; emailCanonical: string; userId: string; expiresAt: number | null }
  /** Creates a session. */
  | { type: 'putSession'; session: Session }
  /**
   * Updates a live session. `session_gone` when it is missing; with `ifRenewalHash`,
   * `token_mismatch` when the current renewal hash differs (the token was spent meanwhile); with
   * `ifRole`, `user_changed` when the session's role differs (a role change swept it meanwhile).
   */
  | {
      type: 'updateSession';
      userId: string;
      id: string;
      set: Partial<Omit<Session, 'id' | 'userId' | 'createdAt' | 'expiresAt' | 'rememberMe'>>;
      ifRenewalHash?: string;
      ifRole?: string;
      /** `token_mismatch` when the session's `currentJti` differs (renewed or revoked meanwhile). */
      ifJti?: string;
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
  | { type: 'deleteToken'; userId: string; kind: MailTokenKind }
  /**
   * Puts a mail into the outbox, for the mail sender to deliver and delete. Written in the same
   * commit as the change that causes the mail, so a mail exists exactly when its change does.
   */
  | { type: 'enqueueMail'; mail: OutboxMail }
  /** Deletes an outbox mail whether or not it exists (the sender, once it is delivered or dropped). */
  | { type: 'deleteMail'; id: string }
  /**
   * Counts one mail against a recipient's cap (see {@link MailCapCount}): `mail_capped` when the
   * running window already holds `limit` mails, `mail_window` when the window is over (or, with
   * `restart`, when it is running again): the caller then counts with the other mode.
   */
  | ({ type: 'countMail' } & MailCapCount)
  /**
   * Appends an event to the audit log (the audit table on DynamoDB): a Put that never replaces
   * (`audit_duplicate` on an id collision). Written in the same commit as the change it records,
   * so no change happens without its event and no event without its change; an event without a
   * change (a refused sign-in) is a commit of its own. See `shared/flows/audit.ts`.
   */
  | { type: 'appendAuditEvent'; event: AuditEvent }
  /** Stores a pending TOTP enrolment, replacing the user's earlier one. */
  | { type: 'putTotpPending'; pending: TotpPending }
  /**
   * Spends a pending TOTP enrolment: deletes it only if it still holds `secretEnc` (the one that
   * was read) and has not expired at `now`. `token_mismatch` otherwise (spent, expired, replaced).
   */
  | { type: 'consumeTotpPending'; userId: string; secretEnc: string; now: number }
  /** Stores a two-step sign-in challenge; `token_mismatch` if one with its hash exists (never replaced). */
  | { type: 'putMfaChallenge'; challenge: MfaChallenge }
  /**
   * Counts one wrong answer on a challenge: only while `attempts < max` and it has not expired at
   * `now`, so a burst of guesses cannot exceed the budget. `token_mismatch` otherwise (spent,
   * exhausted, expired or missing).
   */
  | { type: 'failMfaChallenge'; userId: string; hash: string; max: number; now: number }
  /** Spends a challenge: deletes it only while `attempts < max` and not expired at `now`; `token_mismatch` otherwise. */
  | { type: 'consumeMfaChallenge'; userId: string; hash: string; max: number; now: number }
  // --- social sign-in (docs/specs/social-sign-in.md §8) ---
  /** Stores a state, pending identity or native nonce; `token_mismatch` if its key exists (a hash collision). */
  | { type: 'putOAuthItem'; item: OAuthItem }
  /**
   * Spends a state, pending identity or nonce: deletes it on the condition that it exists, has not
   * expired at `now`, belongs to `provider` and (when given) holds `flowSecretHash`.
   * `token_mismatch` otherwise, so two concurrent uses cannot both succeed.
   */
  | { type: 'consumeOAuthItem'; kind: OAuthItemKind; hash: string; provider: string; flowSecretHash?: string; now: number }
  /**
   * Binds a provider account to a user: the claim `(provider, sub)` must be free (`identity_taken`)
   * and the user must have no identity of this provider (`identity_exists`).
   */
  | { type: 'putIdentity'; identity: Identity }
  /** Updates a stored identity (`not_found` when missing). */
  | { type: 'updateIdentity'; userId: string; provider: string; set: Partial<Pick<Identity, 'email' | 'emailVerified' | 'name' | 'lastUsedAt'>> }
  /** Removes an identity and its claim; the claim must belong to the user (`not_found` otherwise). */
  | { type: 'deleteIdentity'; userId: string; provider: string; sub: string }
  /**
   * Adds `add` to the user's `signInMethods` (`ifAbsent` when the attribute was never set). With
   * `above`, on the condition that the stored count is above it (`last_method` otherwise: two
   * concurrent removals cannot both take the last method). `not_found` when the user is missing.
   */
  | { type: 'countSignInMethods'; userId: string; add: number; ifAbsent: number; above?: number; guard?: UserGuard }
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §12).
  /** Stores a WebAuthn challenge (only its hash). `token_mismatch` on a hash collision (never replaced). */
  | { type: 'putWebauthnChallenge'; challenge: WebauthnChallenge }
  /**
   * Spends a WebAuthn challenge before its response is verified: deletes it only if it has not
   * expired at `now` and carries exactly this ceremony, purpose and binding. `token_mismatch`
   * otherwise (unknown, spent, expired, or made for another ceremony, purpose, user or session).
   */
  | { type: 'consumeWebauthnChallenge'; hash: string; binding: WebauthnBinding; now: number }
  /**
   * Registers a passkey: claims its credential id (`PASSKEY#<id>` / `CLAIM`) and puts the passkey
   * in its user's partition. `credential_taken` when the claim exists (registered to anyone).
   * Goes with an `updateUser` that counts it (`adjust`) under the cap (`guard.passkeyCountBelow`).
   */
  | { type: 'putPasskey'; passkey: Passkey }
  /**
   * Updates a passkey (after an assertion, a rename, a counter regression). `not_found` when it is
   * missing; `token_mismatch` when `ifCounter` is not the stored counter or, with `ifEnabled`, it
   * was disabled meanwhile (two assertions racing with one credential: one moves the counter).
   */
  | {
      type: 'updatePasskey';
      userId: string;
      id: string;
      set: Partial<Pick<Passkey, 'counter' | 'lastUsedAt' | 'discoverable' | 'name' | 'disabledAt' | 'backedUp' | 'deviceType'>>;
      ifCounter?: number;
      ifEnabled?: boolean;
    }
  /** Deletes a passkey and its claim. `not_found` when the passkey is missing (removed meanwhile). */
  | { type: 'deletePasskey'; userId: string; id: string }
  // --- the hand-off (docs/specs/hosted-ui.md §6) ---
  /** Stores an authorization code; `token_mismatch` if its key exists (a hash collision). */
  | { type: 'putOAuth2Code'; code: OAuth2Code }
  /**
   * Redeems a code: sets `redeemedAt` and `issuedSessionId` on the condition that it was not
   * redeemed, has not expired at `now`, and is bound to this client, redirect URI and challenge
   * (`token_mismatch` otherwise: two redemptions racing, or a code used elsewhere).
   */
  | {
      type: 'redeemOAuth2Code';
      hash: string;
      now: number;
      clientId: string;
      redirectUri: string;
      codeChallenge: string;
      issuedSessionId: string;
    };

/**
 * Counter changes of an `updateUser` (`docs/specs/mfa-and-passkeys.md` §12): `passkeyCount` by a
 * delta (a missing attribute counts as 0); `signInMethods` by a delta from the stored value or,
 * on an item written before it existed, from `derived` (the count as read; pair it with a
 * `passwordHash` guard so the derivation cannot be stale).
 */
export interface UserAdjust {
  passkeyCount?: number;
  signInMethods?: { delta: number; derived: number };
}

/** A second-factor code spent in an `updateUser` (see there). */
export interface CodeSpend {
  /** The TOTP time step the code matched: must be above `totp.lastStep` (as `getUser` reads it), becomes it. */
  totpStep?: number;
  /**
   * With `totpStep`: the TOTP secret re-encrypted under the data-key ring's current key (its key
   * was an older one), written with the step (rotation, `docs/specs/mfa-and-passkeys.md` §9).
   */
  totpSecretEnc?: string;
  /** A recovery code id: must exist unused; gets `usedAt`. */
  recoveryCode?: { id: string; usedAt: string };
  /**
   * Only the conditions, no write: for a write that replaces the attribute anyway (disabling
   * TOTP, replacing the recovery codes), which cannot also set a path inside it. The step is then
   * not recorded either.
   */
  conditionOnly?: boolean;
}

/** One mail counted against a recipient's cap; times are epoch seconds. */
export interface MailCapCount {
  /** `mail:<kind>:<sha256 of the canonical address>`: no plaintext address in the key. */
  scope: string;
  now: number;
  windowSeconds: number;
  limit: number;
  /**
   * False: add one to the running window (a missing counter starts one). True: start a new
   * window over a counter whose window is over (DynamoDB's TTL deletes late).
   */
  restart: boolean;
}

/** A mail waiting in the outbox: rendered, to a stored address. It holds a link secret, so it lives briefly. */
interface OutboxMailBase {
  id: string;
  /** The template it is rendered from (`custom` if none), for the hooks and logs. */
  template: string;
  /** The user it concerns, for logs; null when none. */
  userId: string | null;
  createdAt: string;
  /** Epoch seconds: the item's TTL, if the sender never gets to it. */
  expiresAt: number;
}

/**
 * A mail queued as data: the template's name and context (its `locale` included) and the
 * recipient; the mail sender renders it (the built-in templates with `LATCH_MAIL_TEMPLATES`,
 * then the `renderMail` hook), so only the sender carries the templates and catalogues.
 */
export interface OutboxTemplateMail extends OutboxMailBase {
  /** The stored address it goes to. */
  to: string;
  /** The template's context: every value a string or a number. */
  data: Record<string, unknown>;
  message?: undefined;
}

/**
 * A mail queued already rendered: what versions before mail-as-data queued. A deployed stream may
 * still hold such items during an update; the sender delivers them as they are
 * (`docs/migrations.md`).
 */
export interface OutboxRenderedMail extends OutboxMailBase {
  message: MailMessage;
}

/** An outbox item: the mail sender delivers it, then deletes it (it holds a link secret). */
export type OutboxMail = OutboxTemplateMail | OutboxRenderedMail;

/** The address an outbox mail goes to. */
export function recipientOf(mail: OutboxMail): string {
  return mail.message ? mail.message.to : (mail as OutboxTemplateMail).to;
}

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
  /** The user's email must still be unconfirmed (no confirmation landed meanwhile). */
  unconfirmed?: boolean;
  /** The user's role must still be this (no role change meanwhile). */
  role?: string;
  /** The user's `breachNoticeHash` must be missing or differ from this (the notice for this password was not sent yet). */
  breachNoticeHashNot?: string;
  /** True: TOTP must be off (`attribute_not_exists(totp)`); a string: its stored `secretEnc` must still be this. */
  totp?: true | string;
  /** The user must have a second factor (`mfaEnabled = true`). */
  mfaEnabled?: true;
  /** Fewer than this many passkeys (missing: 0): the cap under concurrent additions. */
  passkeyCountBelow?: number;
  /** Exactly this many passkeys (missing: 0): nothing added or removed meanwhile. */
  passkeyCount?: number;
  /**
   * More than `min` sign-in methods: the stored `signInMethods`, or `derived` (the count as
   * read) on an item without it. Two removals racing cannot both take the last method.
   */
  signInMethodsAbove?: { min: number; derived: number };
}

/** Everything stored in one user's partition, read at once (see {@link AuthStore.listUserItems}). */
export interface UserItems {
  user: User | undefined;
  /** Expired ones included (callers filter by time). */
  sessions: Session[];
  tokens: MailToken[];
  /** The user's passkeys (their claims go with them when the user is deleted). */
  passkeys?: Passkey[];
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
  /** The user; undefined when missing or expired (see `User.expiresAt`, checked at the store's clock). */
  getUser(id: string): Promise<User | undefined>;
  /** The user that holds this canonical email's claim; undefined when none or expired. */
  findUserByEmail(emailCanonical: string): Promise<User | undefined>;
  /** Users ordered by canonical email (admin listing), expired ones left out. `cursor` comes from a previous page. */
  listUsers(options: { limit: number; cursor?: string | null }): Promise<UserPage>;
  getSession(userId: string, sessionId: string): Promise<Session | undefined>;
  /** Every stored session of the user, expired ones included (callers filter by time). */
  listSessions(userId: string): Promise<Session[]>;
  getToken(userId: string, kind: MailTokenKind): Promise<MailToken | undefined>;
  /** The user's pending TOTP enrolment, expired ones included (callers check `expiresAt`). */
  getTotpPending(userId: string): Promise<TotpPending | undefined>;
  /** A two-step sign-in challenge by its hash, expired ones included (callers check `expiresAt`). */
  getMfaChallenge(userId: string, hash: string): Promise<MfaChallenge | undefined>;
  /** One passkey of a user, strongly consistent (one GetItem of `USER#<id>` / `PASSKEY#<id>`). */
  getPasskey(userId: string, credentialId: string): Promise<Passkey | undefined>;
  /** Every passkey of a user, disabled ones included, in registration order. */
  listPasskeys(userId: string): Promise<Passkey[]>;
  /**
   * The user, its sessions and its mail tokens in one strongly consistent read (one Query of the
   * user's partition on DynamoDB), so a deletion sees a single consistent picture of them.
   */
  listUserItems(userId: string): Promise<UserItems>;
  /**
   * Applies all writes or none. Throws `ConflictError` naming the failed condition. As in a
   * DynamoDB transaction, at most {@link MAX_ITEMS_PER_COMMIT} items (counted by {@link itemsOf}:
   * a `createUser` is 2, a `moveEmail` 3), and no item twice; else a {@link CommitShapeError}.
   * Flows with more writes than that use `commitInChunks` (`commit-chunks.ts`).
   */
  commit(ops: WriteOp[]): Promise<void>;
  // --- social sign-in (docs/specs/social-sign-in.md §8) ---
  /** A stored state, pending identity or nonce by the SHA-256 of its secret; expired ones included (callers check, the consume condition decides). */
  getOAuthItem(kind: OAuthItemKind, hash: string): Promise<OAuthItem | undefined>;
  /** The hand-off: an authorization code by its hash, strongly consistent; redeemed and expired ones included (until the TTL deletes them). */
  getOAuth2Code(hash: string): Promise<OAuth2Code | undefined>;
  /** The identity bound to `(provider, sub)`, if any. */
  findIdentity(provider: string, sub: string): Promise<Identity | undefined>;
  /** The user's identities. */
  listIdentities(userId: string): Promise<Identity[]>;
}

/** A mail cap counter as stored: `count` mails since the window began; it ends at `windowEnds`. */
export interface MailCap {
  count: number;
  windowEnds: number;
}

/**
 * Whether a {@link MailCapCount} may count on this counter (undefined: none stored), or which
 * conflict it fails with. Both adapters decide with this, the DynamoDB one in its condition
 * expression and again on the item a failed condition returns.
 */
export function mailCapVerdict(cap: MailCap | undefined, count: MailCapCount): 'ok' | 'mail_capped' | 'mail_window' {
  const live = cap !== undefined && cap.windowEnds > count.now;
  if (count.restart) return live ? 'mail_window' : 'ok';
  if (cap === undefined) return 'ok';
  if (!live) return 'mail_window';
  return cap.count < count.limit ? 'ok' : 'mail_capped';
}

/** The items a write touches, as `kind:key`; the same item twice in one commit is a bug. */
export function itemsOf(op: WriteOp): string[] {
  switch (op.type) {
    case 'createUser':
      return [`user:${op.user.id}`, `claim:${op.user.emailCanonical}`];
    case 'updateUser':
      // A TOTP step spent is recorded beside the user too (see `spend`): on the sequence item.
      return [`user:${op.id}`, ...(op.bumpSeq || touchesSeq(op.guard) || op.spend?.totpStep !== undefined ? [`seq:${op.id}`] : [])];
    case 'checkUser':
      return [`user:${op.id}`, ...(touchesSeq(op.guard) ? [`seq:${op.id}`] : [])];
    case 'deleteUser':
      return [`user:${op.id}`, `claim:${op.emailCanonical}`, `seq:${op.id}`];
    case 'setClaimExpiry':
      return [`claim:${op.emailCanonical}`];
    case 'moveEmail':
      return [`user:${op.userId}`, `claim:${op.from}`, `claim:${op.to}`, ...(touchesSeq(op.guard) ? [`seq:${op.userId}`] : [])];
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
    case 'enqueueMail':
      return [`outbox:${op.mail.id}`];
    case 'deleteMail':
      return [`outbox:${op.id}`];
    case 'countMail':
      return [`mailcap:${op.scope}`];
    case 'appendAuditEvent':
      return [`audit:${op.event.id}`];
    case 'putTotpPending':
      return [`totp_pending:${op.pending.userId}`];
    case 'consumeTotpPending':
      return [`totp_pending:${op.userId}`];
    case 'putMfaChallenge':
      return [`mfa_challenge:${op.challenge.userId}/${op.challenge.hash}`];
    case 'failMfaChallenge':
    case 'consumeMfaChallenge':
      return [`mfa_challenge:${op.userId}/${op.hash}`];
    case 'putOAuth2Code':
      return [`oauth2_code:${op.code.hash}`];
    case 'redeemOAuth2Code':
      return [`oauth2_code:${op.hash}`];
    case 'putOAuthItem':
      return [`oauth:${op.item.kind}/${op.item.hash}`];
    case 'consumeOAuthItem':
      return [`oauth:${op.kind}/${op.hash}`];
    case 'putIdentity':
      return [`identity_claim:${op.identity.provider}/${op.identity.sub}`, `identity:${op.identity.userId}/${op.identity.provider}`];
    case 'updateIdentity':
      return [`identity:${op.userId}/${op.provider}`];
    case 'deleteIdentity':
      return [`identity_claim:${op.provider}/${op.sub}`, `identity:${op.userId}/${op.provider}`];
    case 'countSignInMethods':
      return [`user:${op.userId}`];
    case 'putWebauthnChallenge':
      return [`webauthn:${op.challenge.hash}`];
    case 'consumeWebauthnChallenge':
      return [`webauthn:${op.hash}`];
    case 'putPasskey':
      return [`passkey_claim:${op.passkey.id}`, `passkey:${op.passkey.userId}/${op.passkey.id}`];
    case 'updatePasskey':
      return [`passkey:${op.userId}/${op.id}`];
    case 'deletePasskey':
      return [`passkey:${op.userId}/${op.id}`, `passkey_claim:${op.id}`];
  }
}

/**
 * Whether a guard checks `sessionSeq`. Stores may keep the sequence apart from the user (the
 * DynamoDB table does, so a sign-in never writes the user item: `table.ts`), so such a write
 * counts one more item: the user's sequence (`seq:<id>`). A deletion always removes it.
 */
function touchesSeq(guard: UserGuard | undefined): boolean {
  return guard?.sessionSeq !== undefined || guard?.sessionSeqAtMost !== undefined;
}

/**
 * The most items one {@link AuthStore.commit} may touch: DynamoDB's limit of actions in one
 * `TransactWriteItems`. Each item of {@link itemsOf} is one action.
 */
export const MAX_ITEMS_PER_COMMIT = 100;

/** A commit the store refuses before sending anything: a bug in the flow that built it. */
export class CommitShapeError extends Error {
  constructor(
    readonly code: 'too_many_items' | 'same_item_twice',
    detail: string,
  ) {
    super(detail);
    this.name = 'CommitShapeError';
  }
}

/**
 * Rejects what DynamoDB rejects, the same way in every adapter: more than
 * {@link MAX_ITEMS_PER_COMMIT} items, or two writes on one item.
 */
export function assertDistinctItems(ops: WriteOp[]): void {
  const items = ops.flatMap(itemsOf);
  if (items.length > MAX_ITEMS_PER_COMMIT) {
    throw new CommitShapeError('too_many_items', `a commit takes at most ${MAX_ITEMS_PER_COMMIT} items, got ${items.length}`);
  }
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) throw new CommitShapeError('same_item_twice', `two writes on one item in a commit: ${item.split(':')[0]}`);
    seen.add(item);
  }
}
