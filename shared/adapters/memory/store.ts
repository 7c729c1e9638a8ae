import type { AuditEvent } from '../../domain/audit.js';
import { ConflictError } from '../../domain/errors.js';
import type { Identity, OAuthItem, OAuthItemKind } from '../../domain/oauth.js';
import type { OAuth2Code } from '../../domain/oauth2.js';
import type { Passkey, WebauthnChallenge } from '../../domain/passkeys.js';
import { safeEqual } from '../../domain/secrets.js';
import { spentTotpStep } from '../../domain/totp.js';
import { accountExpired, type MailToken, type MailTokenKind, type MfaChallenge, type Session, type TotpPending, type User } from '../../domain/types.js';
import type { Clock } from '../../ports/services.js';
import {
  type AuthStore,
  assertDistinctItems,
  type CodeSpend,
  type MailCap,
  mailCapVerdict,
  type OutboxMail,
  UserGuard,
  UserItems,
  UserPage,
  WriteOp,
} from '../../ports/store.js';

/**
 * A deep copy, so callers never hold the store's own objects. Plain objects and arrays are copied
 * directly (the stored items are plain data: several times faster than `structuredClone`, which
 * rows 1 and 3 of `npm run bench` pay on every read); anything else goes through `structuredClone`.
 */
function clone<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key in value) out[key] = clone((value as Record<string, unknown>)[key]);
  return out as T;
}

/**
 * In-memory {@link AuthStore}: for unit tests, the contract suite and benchmarks. `commit` checks
 * every condition before it changes anything, and runs without awaiting in between, so it is
 * atomic in one Node process exactly as a DynamoDB transaction is.
 */
export class MemoryStore implements AuthStore {
  readonly users = new Map<string, User>();
  readonly claims = new Map<string, string>();
  /** Expiry (epoch seconds) of the claims of never-confirmed accounts: DynamoDB's `ttl` on the claim item. */
  readonly claimExpiries = new Map<string, number>();
  readonly sessions = new Map<string, Session>();
  /** Each user's session keys (of {@link sessions}), so a user's sessions are found without a scan of everyone's. */
  private readonly sessionKeysByUser = new Map<string, Set<string>>();
  readonly tokens = new Map<string, MailToken>();
  /** Mails waiting for the sender, by id, in the order they were committed. */
  readonly outbox = new Map<string, OutboxMail>();
  readonly mailCaps = new Map<string, MailCap>();
  /** The audit log, in commit order (the audit table's twin; read by `MemoryAuditLog`). */
  readonly auditEvents = new Map<string, AuditEvent>();
  /**
   * The last TOTP step each user spent, by user id: the twin of the sequence item's `totpStep`
   * on DynamoDB (`PROFILE#SEQ`, see `seqPlan`), kept apart from the user record, which a spend
   * leaves untouched. Reads answer the larger of it and the record's `totp.lastStep`.
   */
  readonly totpSteps = new Map<string, number>();
  /** Pending TOTP enrolments by user id. */
  readonly totpPending = new Map<string, TotpPending>();
  /** Two-step sign-in challenges by `<userId>/<hash>`. */
  readonly mfaChallenges = new Map<string, MfaChallenge>();
  /** Social sign-in: states, pending identities and nonces by `<kind>/<hash>`. */
  readonly oauthItems = new Map<string, OAuthItem>();
  /** The hand-off's authorization codes by hash. */
  readonly oauth2Codes = new Map<string, OAuth2Code>();
  /** Social sign-in: identity claims, `<provider>/<sub>` → user id. */
  readonly identityClaims = new Map<string, string>();
  /** Social sign-in: identities by `<userId>/<provider>`. */
  readonly identities = new Map<string, Identity>();
  /** WebAuthn challenges by hash. */
  readonly webauthnChallenges = new Map<string, WebauthnChallenge>();
  /** Passkeys by `<userId>/<credentialId>`, in registration order. */
  readonly passkeys = new Map<string, Passkey>();
  /** Credential id → user id: the claim that makes a credential id one user's. */
  readonly passkeyClaims = new Map<string, string>();
  /**
   * Called after each commit that enqueued mail, with the mails, and awaited (after every write
   * is applied): the memory twin of the table's stream, so unit tests and benchmarks see the
   * mail delivered (by `sendOutboxMail`) when the flow returns. It must not throw.
   */
  onEnqueued: ((mails: OutboxMail[]) => Promise<void> | void) | undefined;

  /** `clock` is what expiry is checked against (the deps' clock in tests). */
  constructor(private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() }) {}

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** The stored user unless it is missing or expired (an expired account is as good as gone). */
  private liveUser(id: string): User | undefined {
    const user = this.users.get(id);
    return user && !accountExpired(user, this.nowSeconds()) ? user : undefined;
  }

  async getUser(id: string): Promise<User | undefined> {
    const user = this.liveUser(id);
    return user && this.withSpentStep(clone(user));
  }

  /** A copy of a user as the port reads it: `totp.lastStep` the larger of the record's and the spent step's (as on DynamoDB). */
  private withSpentStep(user: User): User {
    if (user.totp) user.totp.lastStep = spentTotpStep(user.totp.lastStep, this.totpSteps.get(user.id));
    return user;
  }

  async findUserByEmail(emailCanonical: string): Promise<User | undefined> {
    const id = this.claims.get(emailCanonical);
    return id === undefined ? undefined : this.getUser(id);
  }

  async listUsers(options: { limit: number; cursor?: string | null }): Promise<UserPage> {
    const now = this.nowSeconds();
    const sorted = [...this.users.values()].filter((u) => !accountExpired(u, now)).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
    const start = options.cursor ? sorted.findIndex((u) => sortKey(u) > (options.cursor as string)) : 0;
    const page = start < 0 ? [] : sorted.slice(start, start + options.limit);
    const last = page[page.length - 1];
    const more = start >= 0 && start + options.limit < sorted.length;
    return { users: page.map(clone), nextCursor: more && last ? sortKey(last) : null };
  }

  async getSession(userId: string, sessionId: string): Promise<Session | undefined> {
    const session = this.sessions.get(`${userId}/${sessionId}`);
    return session && clone(session);
  }

  async listSessions(userId: string): Promise<Session[]> {
    return this.sessionsOf(userId).map(clone);
  }

  /** A user's sessions (live objects); keys whose session is gone (a test may clear {@link sessions}) are dropped. */
  private sessionsOf(userId: string): Session[] {
    const keys = this.sessionKeysByUser.get(userId);
    if (!keys) return [];
    const found: Session[] = [];
    for (const key of keys) {
      const session = this.sessions.get(key);
      if (session) found.push(session);
      else keys.delete(key);
    }
    return found;
  }

  async getToken(userId: string, kind: MailTokenKind): Promise<MailToken | undefined> {
    const token = this.tokens.get(`${userId}/${kind}`);
    return token && clone(token);
  }

  async getMfaChallenge(userId: string, hash: string): Promise<MfaChallenge | undefined> {
    const challenge = this.mfaChallenges.get(`${userId}/${hash}`);
    return challenge && clone(challenge);
  }

  async getTotpPending(userId: string): Promise<TotpPending | undefined> {
    const pending = this.totpPending.get(userId);
    return pending && clone(pending);
  }

  async getPasskey(userId: string, credentialId: string): Promise<Passkey | undefined> {
    const passkey = this.passkeys.get(`${userId}/${credentialId}`);
    return passkey && clone(passkey);
  }

  async listPasskeys(userId: string): Promise<Passkey[]> {
    return [...this.passkeys.values()].filter((p) => p.userId === userId).map(clone);
  }

  async listUserItems(userId: string): Promise<UserItems> {
    const user = this.liveUser(userId);
    return {
      user: user && this.withSpentStep(clone(user)),
      sessions: this.sessionsOf(userId).map(clone),
      tokens: [...this.tokens.values()].filter((t) => t.userId === userId).map(clone),
      passkeys: await this.listPasskeys(userId),
    };
  }

  async getOAuth2Code(hash: string): Promise<OAuth2Code | undefined> {
    const code = this.oauth2Codes.get(hash);
    return code && clone(code);
  }

  async getOAuthItem(kind: OAuthItemKind, hash: string): Promise<OAuthItem | undefined> {
    const item = this.oauthItems.get(`${kind}/${hash}`);
    return item && clone(item);
  }

  async findIdentity(provider: string, sub: string): Promise<Identity | undefined> {
    const userId = this.identityClaims.get(`${provider}/${sub}`);
    const identity = userId === undefined ? undefined : this.identities.get(`${userId}/${provider}`);
    return identity && identity.sub === sub ? clone(identity) : undefined;
  }

  async listIdentities(userId: string): Promise<Identity[]> {
    return [...this.identities.values()].filter((i) => i.userId === userId).map(clone);
  }

  async commit(ops: WriteOp[]): Promise<void> {
    assertDistinctItems(ops);
    for (const op of ops) this.check(op);
    for (const op of ops) this.apply(op);
    const enqueued = ops.flatMap((op) => (op.type === 'enqueueMail' ? [clone(op.mail)] : []));
    if (enqueued.length > 0) await this.onEnqueued?.(enqueued);
  }

  private check(op: WriteOp): void {
    switch (op.type) {
      case 'createUser': {
        // The claim of an expired never-confirmed account may be replaced, as on DynamoDB.
        const expiry = this.claimExpiries.get(op.user.emailCanonical);
        const claimFree = !this.claims.has(op.user.emailCanonical) || (expiry !== undefined && expiry <= this.nowSeconds());
        if (!claimFree || this.users.has(op.user.id)) throw new ConflictError('email_taken');
        return;
      }
      case 'setClaimExpiry':
        if (this.claims.get(op.emailCanonical) !== op.userId) throw new ConflictError('user_changed');
        return;
      case 'updateUser':
        // A spent code is final and explains the failure before any other guard (as on DynamoDB).
        if (op.spend && this.users.has(op.id)) this.checkSpend(this.users.get(op.id) as User, op.spend);
        this.checkGuard(op.id, op.guard);
        return;
      case 'checkUser':
      case 'deleteUser':
        this.checkGuard(op.id, op.guard);
        return;
      case 'consumeTotpPending': {
        const pending = this.totpPending.get(op.userId);
        if (!pending || !safeEqual(pending.secretEnc, op.secretEnc) || pending.expiresAt <= op.now) throw new ConflictError('token_mismatch');
        return;
      }
      case 'putTotpPending':
        return;
      case 'putMfaChallenge':
        if (this.mfaChallenges.has(`${op.challenge.userId}/${op.challenge.hash}`)) throw new ConflictError('token_mismatch');
        return;
      case 'failMfaChallenge':
      case 'consumeMfaChallenge': {
        const challenge = this.mfaChallenges.get(`${op.userId}/${op.hash}`);
        if (!challenge || challenge.attempts >= op.max || challenge.expiresAt <= op.now) throw new ConflictError('token_mismatch');
        return;
      }
      case 'putWebauthnChallenge':
        if (this.webauthnChallenges.has(op.challenge.hash)) throw new ConflictError('token_mismatch');
        return;
      case 'consumeWebauthnChallenge': {
        const stored = this.webauthnChallenges.get(op.hash);
        const b = op.binding;
        const matches =
          stored !== undefined &&
          stored.expiresAt > op.now &&
          stored.ceremony === b.ceremony &&
          stored.purpose === b.purpose &&
          stored.userId === b.userId &&
          stored.sessionId === b.sessionId &&
          stored.mfaHash === b.mfaHash;
        if (!matches) throw new ConflictError('token_mismatch');
        return;
      }
      case 'putPasskey':
        if (this.passkeyClaims.has(op.passkey.id) || this.passkeys.has(`${op.passkey.userId}/${op.passkey.id}`)) throw new ConflictError('credential_taken');
        return;
      case 'updatePasskey': {
        const passkey = this.passkeys.get(`${op.userId}/${op.id}`);
        if (!passkey) throw new ConflictError('not_found');
        if (op.ifCounter !== undefined && passkey.counter !== op.ifCounter) throw new ConflictError('token_mismatch');
        if (op.ifEnabled && passkey.disabledAt !== undefined) throw new ConflictError('token_mismatch');
        return;
      }
      case 'deletePasskey':
        if (!this.passkeys.has(`${op.userId}/${op.id}`)) throw new ConflictError('not_found');
        return;
      case 'moveEmail': {
        this.checkGuard(op.userId, op.guard);
        if (this.claims.get(op.from) !== op.userId) throw new ConflictError('user_changed');
        const holder = this.claims.get(op.to);
        const expiry = this.claimExpiries.get(op.to);
        const expired = expiry !== undefined && expiry <= this.nowSeconds();
        if (holder !== undefined && holder !== op.userId && !expired) throw new ConflictError('email_taken');
        return;
      }
      case 'putSession':
        return;
      case 'updateSession': {
        const session = this.sessions.get(`${op.userId}/${op.id}`);
        if (!session) throw new ConflictError('session_gone');
        if (op.ifRenewalHash !== undefined && session.renewalHash !== op.ifRenewalHash) {
          throw new ConflictError('token_mismatch');
        }
        if (op.ifRole !== undefined && session.role !== op.ifRole) throw new ConflictError('user_changed');
        if (op.ifJti !== undefined && session.currentJti !== op.ifJti) throw new ConflictError('token_mismatch');
        return;
      }
      case 'consumeToken': {
        const token = this.tokens.get(`${op.userId}/${op.kind}`);
        if (!token || token.hash !== op.hash || token.expiresAt <= op.now) throw new ConflictError('token_mismatch');
        return;
      }
      case 'enqueueMail':
        // As attribute_not_exists on the table: ids are random, a collision must not overwrite.
        if (this.outbox.has(op.mail.id)) throw new ConflictError('token_mismatch');
        return;
      case 'appendAuditEvent':
        if (this.auditEvents.has(op.event.id)) throw new ConflictError('audit_duplicate');
        return;
      case 'countMail': {
        const verdict = mailCapVerdict(this.mailCaps.get(op.scope), op);
        if (verdict !== 'ok') throw new ConflictError(verdict);
        return;
      }
      case 'deleteSession':
      case 'putToken':
      case 'deleteToken':
      case 'deleteMail':
        return;
      case 'putOAuth2Code':
        if (this.oauth2Codes.has(op.code.hash)) throw new ConflictError('token_mismatch');
        return;
      case 'redeemOAuth2Code': {
        const code = this.oauth2Codes.get(op.hash);
        if (
          !code ||
          code.redeemedAt !== undefined ||
          code.expiresAt <= op.now ||
          code.clientId !== op.clientId ||
          code.redirectUri !== op.redirectUri ||
          code.codeChallenge !== op.codeChallenge
        )
          throw new ConflictError('token_mismatch');
        return;
      }
      case 'putOAuthItem':
        if (this.oauthItems.has(`${op.item.kind}/${op.item.hash}`)) throw new ConflictError('token_mismatch');
        return;
      case 'consumeOAuthItem': {
        const item = this.oauthItems.get(`${op.kind}/${op.hash}`);
        const secretOk = op.flowSecretHash === undefined || (item && 'flowSecretHash' in item && item.flowSecretHash === op.flowSecretHash);
        if (!item || item.expiresAt <= op.now || item.provider !== op.provider || !secretOk) throw new ConflictError('token_mismatch');
        return;
      }
      case 'putIdentity':
        if (this.identityClaims.has(`${op.identity.provider}/${op.identity.sub}`)) throw new ConflictError('identity_taken');
        if (this.identities.has(`${op.identity.userId}/${op.identity.provider}`)) throw new ConflictError('identity_exists');
        return;
      case 'updateIdentity':
        if (!this.identities.has(`${op.userId}/${op.provider}`)) throw new ConflictError('not_found');
        return;
      case 'deleteIdentity':
        if (this.identityClaims.get(`${op.provider}/${op.sub}`) !== op.userId) throw new ConflictError('not_found');
        if (!this.identities.has(`${op.userId}/${op.provider}`)) throw new ConflictError('not_found');
        return;
      case 'countSignInMethods': {
        this.checkGuard(op.userId, op.guard);
        const user = this.users.get(op.userId) as User;
        if (op.above !== undefined && !(user.signInMethods !== undefined && user.signInMethods > op.above)) throw new ConflictError('last_method');
        return;
      }
    }
  }

  private checkGuard(id: string, guard: UserGuard | undefined): void {
    const user = this.users.get(id);
    if (!user) throw new ConflictError('not_found');
    if (!guard) return;
    if (guard.sessionEpoch !== undefined && user.sessionEpoch !== guard.sessionEpoch) throw new ConflictError('user_changed');
    if (guard.sessionSeq !== undefined && user.sessionSeq !== guard.sessionSeq) throw new ConflictError('user_changed');
    if (guard.sessionSeqAtMost !== undefined && user.sessionSeq > guard.sessionSeqAtMost) throw new ConflictError('user_changed');
    if (guard.unlocked && user.locked) throw new ConflictError('user_changed');
    if (guard.passwordHash !== undefined && user.passwordHash !== guard.passwordHash) throw new ConflictError('user_changed');
    if (guard.emailCanonical !== undefined && user.emailCanonical !== guard.emailCanonical) throw new ConflictError('user_changed');
    if (guard.unconfirmed && user.emailConfirmed) throw new ConflictError('user_changed');
    if (guard.role !== undefined && user.role !== guard.role) throw new ConflictError('user_changed');
    if (guard.breachNoticeHashNot !== undefined && user.breachNoticeHash === guard.breachNoticeHashNot) throw new ConflictError('user_changed');
    if (guard.totp === true && user.totp !== undefined) throw new ConflictError('user_changed');
    if (typeof guard.totp === 'string' && !(user.totp && safeEqual(user.totp.secretEnc, guard.totp))) throw new ConflictError('user_changed');
    if (guard.mfaEnabled && user.mfaEnabled !== true) throw new ConflictError('user_changed');
    if (guard.passkeyCountBelow !== undefined && !((user.passkeyCount ?? 0) < guard.passkeyCountBelow)) throw new ConflictError('user_changed');
    if (guard.passkeyCount !== undefined && (user.passkeyCount ?? 0) !== guard.passkeyCount) throw new ConflictError('user_changed');
    if (guard.signInMethodsAbove !== undefined) {
      const methods = user.signInMethods ?? guard.signInMethodsAbove.derived;
      if (!(methods > guard.signInMethodsAbove.min)) throw new ConflictError('user_changed');
    }
  }

  /** The conditions of a code spent in an `updateUser` (`code_spent`), as on DynamoDB: the step above the record's and the spent one. */
  private checkSpend(user: User, spend: CodeSpend): void {
    const fresh = (step: number) => user.totp !== undefined && spentTotpStep(user.totp.lastStep, this.totpSteps.get(user.id)) < step;
    if (spend.totpStep !== undefined && !fresh(spend.totpStep)) throw new ConflictError('code_spent');
    if (spend.recoveryCode) {
      const entry = user.recoveryCodes?.[spend.recoveryCode.id];
      if (!entry || entry.usedAt !== undefined) throw new ConflictError('code_spent');
    }
  }

  private apply(op: WriteOp): void {
    switch (op.type) {
      case 'createUser':
        this.users.set(op.user.id, clone(op.user));
        this.claims.set(op.user.emailCanonical, op.user.id);
        if (typeof op.user.expiresAt === 'number') this.claimExpiries.set(op.user.emailCanonical, op.user.expiresAt);
        else this.claimExpiries.delete(op.user.emailCanonical);
        return;
      case 'setClaimExpiry':
        if (op.expiresAt === null) this.claimExpiries.delete(op.emailCanonical);
        else this.claimExpiries.set(op.emailCanonical, op.expiresAt);
        return;
      case 'updateUser': {
        const user = this.users.get(op.id) as User;
        Object.assign(user, clone(op.set ?? {}));
        if (op.bumpEpoch) user.sessionEpoch += 1;
        if (op.bumpSeq) user.sessionSeq += 1;
        for (const attribute of op.remove ?? []) delete user[attribute];
        if (op.adjust?.passkeyCount !== undefined) user.passkeyCount = (user.passkeyCount ?? 0) + op.adjust.passkeyCount;
        if (op.adjust?.signInMethods !== undefined)
          user.signInMethods = (user.signInMethods ?? op.adjust.signInMethods.derived) + op.adjust.signInMethods.delta;
        if (op.spend && !op.spend.conditionOnly) {
          // The step goes to the sequence item's twin, not the record (only a re-encrypted secret does).
          if (op.spend.totpStep !== undefined) this.totpSteps.set(op.id, op.spend.totpStep);
          if (op.spend.totpSecretEnc !== undefined && user.totp) user.totp.secretEnc = op.spend.totpSecretEnc;
          const code = op.spend.recoveryCode;
          const entry = code && user.recoveryCodes?.[code.id];
          if (code && entry) entry.usedAt = code.usedAt;
        }
        return;
      }
      case 'putTotpPending':
        this.totpPending.set(op.pending.userId, clone(op.pending));
        return;
      case 'consumeTotpPending':
        this.totpPending.delete(op.userId);
        return;
      case 'putMfaChallenge':
        this.mfaChallenges.set(`${op.challenge.userId}/${op.challenge.hash}`, clone(op.challenge));
        return;
      case 'failMfaChallenge': {
        const challenge = this.mfaChallenges.get(`${op.userId}/${op.hash}`);
        if (challenge) challenge.attempts += 1;
        return;
      }
      case 'consumeMfaChallenge':
        this.mfaChallenges.delete(`${op.userId}/${op.hash}`);
        return;
      case 'putWebauthnChallenge':
        this.webauthnChallenges.set(op.challenge.hash, clone(op.challenge));
        return;
      case 'consumeWebauthnChallenge':
        this.webauthnChallenges.delete(op.hash);
        return;
      case 'putPasskey':
        this.passkeys.set(`${op.passkey.userId}/${op.passkey.id}`, clone(op.passkey));
        this.passkeyClaims.set(op.passkey.id, op.passkey.userId);
        return;
      case 'updatePasskey':
        Object.assign(this.passkeys.get(`${op.userId}/${op.id}`) as Passkey, clone(op.set));
        return;
      case 'deletePasskey':
        this.passkeys.delete(`${op.userId}/${op.id}`);
        if (this.passkeyClaims.get(op.id) === op.userId) this.passkeyClaims.delete(op.id);
        return;
      case 'checkUser':
        return;
      case 'deleteUser':
        this.users.delete(op.id);
        this.totpSteps.delete(op.id);
        if (this.claims.get(op.emailCanonical) === op.id) {
          this.claims.delete(op.emailCanonical);
          this.claimExpiries.delete(op.emailCanonical);
        }
        return;
      case 'moveEmail': {
        this.claims.delete(op.from);
        this.claimExpiries.delete(op.from);
        this.claims.set(op.to, op.userId);
        this.claimExpiries.delete(op.to); // a moved claim never expires
        const user = this.users.get(op.userId) as User;
        Object.assign(user, clone(op.set ?? {}));
        user.email = op.email;
        user.emailCanonical = op.to;
        if (op.bumpEpoch) user.sessionEpoch += 1;
        return;
      }
      case 'putSession': {
        const key = `${op.session.userId}/${op.session.id}`;
        this.sessions.set(key, clone(op.session));
        const keys = this.sessionKeysByUser.get(op.session.userId) ?? new Set<string>();
        keys.add(key);
        this.sessionKeysByUser.set(op.session.userId, keys);
        return;
      }
      case 'updateSession':
        Object.assign(this.sessions.get(`${op.userId}/${op.id}`) as Session, clone(op.set));
        return;
      case 'deleteSession':
        this.sessions.delete(`${op.userId}/${op.id}`);
        this.sessionKeysByUser.get(op.userId)?.delete(`${op.userId}/${op.id}`);
        return;
      case 'putToken':
        this.tokens.set(`${op.token.userId}/${op.token.kind}`, clone(op.token));
        return;
      case 'consumeToken':
      case 'deleteToken':
        this.tokens.delete(`${op.userId}/${op.kind}`);
        return;
      case 'enqueueMail':
        this.outbox.set(op.mail.id, clone(op.mail));
        return;
      case 'deleteMail':
        this.outbox.delete(op.id);
        return;
      case 'appendAuditEvent':
        this.auditEvents.set(op.event.id, clone(op.event));
        return;
      case 'countMail': {
        const cap = this.mailCaps.get(op.scope);
        if (op.restart || !cap) this.mailCaps.set(op.scope, { count: 1, windowEnds: op.now + op.windowSeconds });
        else cap.count += 1;
        return;
      }
      case 'putOAuth2Code':
        this.oauth2Codes.set(op.code.hash, clone(op.code));
        return;
      case 'redeemOAuth2Code': {
        const code = this.oauth2Codes.get(op.hash);
        if (code) this.oauth2Codes.set(op.hash, { ...code, redeemedAt: op.now, issuedSessionId: op.issuedSessionId });
        return;
      }
      case 'putOAuthItem':
        this.oauthItems.set(`${op.item.kind}/${op.item.hash}`, clone(op.item));
        return;
      case 'consumeOAuthItem':
        this.oauthItems.delete(`${op.kind}/${op.hash}`);
        return;
      case 'putIdentity':
        this.identityClaims.set(`${op.identity.provider}/${op.identity.sub}`, op.identity.userId);
        this.identities.set(`${op.identity.userId}/${op.identity.provider}`, clone(op.identity));
        return;
      case 'updateIdentity':
        Object.assign(this.identities.get(`${op.userId}/${op.provider}`) as Identity, clone(op.set));
        return;
      case 'deleteIdentity':
        this.identityClaims.delete(`${op.provider}/${op.sub}`);
        this.identities.delete(`${op.userId}/${op.provider}`);
        return;
      case 'countSignInMethods': {
        const user = this.users.get(op.userId) as User;
        user.signInMethods = (user.signInMethods ?? op.ifAbsent) + op.add;
        return;
      }
    }
  }
}

function sortKey(user: User): string {
  return `${user.emailCanonical}#${user.id}`;
}
