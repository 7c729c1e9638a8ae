import { SignJWT } from 'jose';
import { ConflictError, isConflict, ServiceUnavailableError } from '../domain/errors.js';
import { hashSecret, randomId, randomSecret } from '../domain/secrets.js';
import { formatRenewalToken, formatUiSessionCookie, renewalSecret } from '../domain/tokens.js';
import { aalOf } from '../domain/totp.js';
import { type PublicUser, type Session, toPublicUser, type User } from '../domain/types.js';
import { logHookFailure, runBeforeHook } from '../hooks/run.js';
import type { WriteOp } from '../ports/store.js';
import { auditOp } from './audit.js';
import { type Deps, nowIso, nowSeconds, type RequestInfo } from './deps.js';

/** The token pair of the contract. */
export interface TokenPair {
  accessToken: string;
  renewalToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: PublicUser;
  /** Present only when not empty (sign-in): see `breached-sign-in.ts`. */
  warnings?: SignInWarning[];
  /** The second step with a recovery code: unused codes left. */
  recoveryCodesRemaining?: number;
  /** `AUTH_MFA=required` and the user has no second factor yet (`docs/specs/mfa-and-passkeys.md` §8.1). */
  mfaEnrollmentRequired?: true;
  /**
   * A UI session (`docs/specs/hosted-ui.md` §3): the `__Host-latch_ui` cookie's value
   * `<userId>.<sessionId>.<secret>`; `accessToken` and `renewalToken` are then empty (none exists).
   */
  uiSession?: string;
}

/** A warning a token pair may carry. */
export type SignInWarning = 'password_compromised';

/** Claims Latch sets itself: a `tokenClaims` hook can never replace them. */
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sid', 'role', 'amr', 'auth_time', 'aal']);

/** The most a `tokenClaims` hook may add, as JSON bytes: access tokens travel in every request header. */
export const MAX_CUSTOM_CLAIMS_BYTES = 1024;

/**
 * The deployer's extra claims for a token (the `tokenClaims` hook), as a plain JSON object.
 * Registered claims are dropped (with a warning), so a hook cannot change who the token is for,
 * its session, role or lifetime. A hook that returns something that is not a JSON object, or
 * more than {@link MAX_CUSTOM_CLAIMS_BYTES}, is a broken hook: 503, logged, nothing written.
 */
export async function customClaims(deps: Pick<Deps, 'hooks' | 'log'>, user: User, sessionId: string): Promise<Record<string, unknown>> {
  const returned = await runBeforeHook(deps, 'tokenClaims', { user: toPublicUser(user), sessionId });
  if (returned === undefined || returned === null) return {};
  let claims: Record<string, unknown>;
  let bytes: number;
  try {
    if (typeof returned !== 'object' || Array.isArray(returned)) throw new TypeError('tokenClaims must return an object');
    const text = JSON.stringify(returned); // throws for cycles and BigInt
    bytes = Buffer.byteLength(text);
    claims = JSON.parse(text) as Record<string, unknown>; // drops functions and undefined, as the JWT would
  } catch (error) {
    logHookFailure(deps, 'tokenClaims', error);
    throw new ServiceUnavailableError();
  }
  if (bytes > MAX_CUSTOM_CLAIMS_BYTES) {
    logHookFailure(deps, 'tokenClaims', new RangeError(`claims over ${MAX_CUSTOM_CLAIMS_BYTES} bytes`));
    throw new ServiceUnavailableError();
  }
  const dropped = Object.keys(claims).filter((name) => REGISTERED_CLAIMS.has(name));
  if (dropped.length > 0) {
    deps.log.warn('tokenClaims: registered claims dropped', { hook: 'tokenClaims', dropped });
    for (const name of dropped) delete claims[name];
  }
  return claims;
}

/**
 * Signs an access token for a session of `user`. Claims: iss aud sub sid role iat exp jti, `amr`,
 * `auth_time` and `aal` (the level at `iat`, `docs/specs/mfa-and-passkeys.md` §3), plus those of
 * the `tokenClaims` hook (which cannot replace these). `amr`/`authTime` come from the session
 * (absent: `["pwd"]`, now). Call it before the commit that makes the session valid, so a failing
 * hook writes nothing.
 */
export async function signAccessToken(
  deps: Pick<Deps, 'config' | 'keys' | 'clock' | 'hooks' | 'log'>,
  user: User,
  ids: { sessionId: string; jti: string; amr?: string[] | undefined; authTime?: number | undefined },
): Promise<string> {
  const extra = await customClaims(deps, user, ids.sessionId);
  const key = await deps.keys.signingKey();
  const iat = nowSeconds(deps);
  const amr = ids.amr && ids.amr.length > 0 ? ids.amr : ['pwd'];
  const authTime = ids.authTime ?? iat;
  const aal = aalOf(amr, authTime, iat, deps.config.aal2MaxAgeSeconds);
  return new SignJWT({ ...extra, sid: ids.sessionId, role: user.role, amr, auth_time: authTime, aal })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(deps.config.issuer)
    .setAudience(deps.config.audience)
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + deps.config.accessTokenTtlSeconds)
    .setJti(ids.jti)
    .sign(key.key);
}

/** Room for cap deletions beside the user write, the new session and their audit events in one transaction. */
const CAP_DELETIONS_PER_COMMIT = 90;

/**
 * How a session was started, for its `sign_in` event: a password sign-in, a registration
 * without confirmation, or an invitation's acceptance (each creates a session, so each is the end
 * of a sign-in, with the password as its factor).
 */
export type SignInMethod = 'password' | 'registration' | 'invitation' | 'provider' | 'passkey' | `oauth2:${string}`;

/** Options of {@link prepareSession} and {@link startSession}. */
export interface SessionOptions {
  rememberMe: boolean;
  request: RequestInfo;
  /** The `sign_in` event's `method` (written in the commit that creates the session). */
  method: SignInMethod;
  /** Put on the token pair (e.g. `password_compromised`), when any. */
  warnings?: SignInWarning[];
  /**
   * How the user authenticated, RFC 8176 values (`docs/specs/mfa-and-passkeys.md` §3), stored on
   * the session and put in its `sign_in` event. Default `["pwd"]`.
   */
  amr?: string[];
  /**
   * The session's `client` (`docs/specs/hosted-ui.md` §3): default `request.client` (`"ui"` from
   * the hosted pages), else `null` (a direct API sign-in). `"ui"` makes a UI session: no access or
   * renewal token, a cookie secret (`uiHash`) and a `csrfSecret` instead.
   */
  client?: string | null;
  /** Copied from the session where the authentication happened (the hand-off): default now. */
  authTime?: number;
}
/** Attempts of {@link startSession} when another sign-in or a role change lands between read and write. */
const START_ATTEMPTS = 25;

/**
 * The sessions to revoke so that one more fits under `AUTH_MAX_SESSIONS_PER_USER`: the oldest
 * live ones beyond `cap - 1`, plus expired ones still stored (DynamoDB's TTL deletes late).
 */
function sessionsToEnd(deps: Pick<Deps, 'config' | 'clock'>, sessions: Session[]): { ended: Session[]; slack: number } {
  const now = nowSeconds(deps);
  const live = sessions.filter((s) => s.expiresAt > now).sort((a, b) => (`${a.createdAt}#${a.id}` < `${b.createdAt}#${b.id}` ? -1 : 1));
  const expired = sessions.filter((s) => s.expiresAt <= now);
  const over = Math.max(0, live.length - (deps.config.maxSessionsPerUser - 1));
  // How many other sessions may start concurrently with this one without passing the cap.
  const slack = deps.config.maxSessionsPerUser - 1 - (live.length - over);
  return { ended: [...live.slice(0, over), ...expired], slack };
}

/**
 * Prepares a new session for a user: the writes that create it and the token pair to answer
 * with once they are committed. The user write is conditioned on what was read:
 * - `sessionEpoch`, `unlocked`, `passwordHash`: a concurrent lock, password change or delete
 *   makes it fail instead of leaving a session behind;
 * - `role`: a concurrent role change makes it fail instead of creating a session (whose items
 *   carry the role to the authorizer) with the old role;
 * - `sessionSeq` (bumped here): at most as many sessions started since `user` was read as
 *   the cap leaves room for beside the ones listed (none at the cap), so the cap holds under
 *   concurrent sign-ins; the oldest over it end in the same transaction. A revoke-all or role
 *   change that listed the sessions before this commit fails its own guard and lists again.
 *   `user` must be read before the sessions are listed (a session created in between is
 *   counted twice: a needless retry at worst, never a session over the cap).
 * `newUser`: the user is created in the same commit (no sessions to list; callers replace the
 * user write). The caller commits; {@link startSession} does it with retries.
 *
 * The user write sets nothing, so it writes no user item: on DynamoDB it is a `ConditionCheck`
 * of the user item plus the bump of the user's session-sequence item, never a rewrite of the
 * user and its users-index entry (no hot partition at scale: `shared/adapters/dynamodb/table.ts`).
 *
 * The ops carry the session's `sign_in` event (and a `session.revoked` by `system`, reason
 * `session_cap`, when sessions over the cap end with it): whoever commits them writes the events
 * with the change. Surplus deletions committed here first carry their own event.
 */
export async function prepareSession(
  deps: Deps,
  user: User,
  options: SessionOptions & { newUser?: boolean },
): Promise<{ ops: WriteOp[]; tokens: TokenPair; sessionId: string }> {
  const now = nowSeconds(deps);
  const iso = nowIso(deps);
  let { ended, slack } = options.newUser ? { ended: [] as Session[], slack: 0 } : sessionsToEnd(deps, await deps.store.listSessions(user.id));
  if (ended.length > CAP_DELETIONS_PER_COMMIT) {
    // Only after the cap was lowered: the surplus beyond one transaction goes first (deleting
    // sessions over the cap is safe on its own), the rest with the new session.
    const surplus = ended.slice(0, ended.length - CAP_DELETIONS_PER_COMMIT);
    for (let i = 0; i < surplus.length; i += 99) {
      const chunk = surplus.slice(i, i + 99);
      await deps.store.commit([
        ...chunk.map((s): WriteOp => ({ type: 'deleteSession', userId: user.id, id: s.id })),
        await capRevoked(deps, user, chunk.length, options.request),
      ]);
    }
    ended = ended.slice(surplus.length);
  }
  const id = randomId();
  const client = options.client !== undefined ? options.client : (options.request.client ?? null);
  const ui = client === 'ui';
  const renewalKey = randomSecret();
  // A UI session has no renewal token: no hash of a secret anyone holds, so nothing renews it.
  const secret = ui ? '' : renewalSecret(renewalKey, id, 0);
  const uiSecret = ui ? randomSecret() : '';
  const session: Session = {
    id,
    userId: user.id,
    role: user.role,
    email: user.email,
    currentJti: randomId(),
    renewalHash: ui ? '' : hashSecret(secret),
    renewalGeneration: 0,
    renewalKey,
    rememberMe: options.rememberMe,
    createdAt: iso,
    lastUsedAt: iso,
    expiresAt: now + (options.rememberMe ? deps.config.rememberMeTtlSeconds : deps.config.sessionTtlSeconds),
    userAgent: options.request.userAgent?.slice(0, 512) ?? null,
    ip: options.request.ip,
    amr: options.amr ?? ['pwd'],
    authTime: options.authTime ?? now,
    ...(client !== null ? { client } : {}),
    ...(ui ? { uiHash: hashSecret(uiSecret), csrfSecret: randomSecret() } : {}),
  };
  // A UI session gets no access token (the pages call the flows directly).
  const accessToken = ui
    ? ''
    : await signAccessToken(deps, user, { sessionId: session.id, jti: session.currentJti, amr: session.amr, authTime: session.authTime });
  const events: WriteOp[] = [
    await auditOp(deps, {
      type: 'sign_in',
      userId: user.id,
      sessionId: session.id,
      emailCanonical: user.emailCanonical,
      details: { method: options.method, amr: session.amr },
      request: options.request,
    }),
  ];
  if (ended.length > 0) events.push(await capRevoked(deps, user, ended.length, options.request));
  return {
    sessionId: session.id,
    ops: [
      // Closes the races with revoke-all (epoch), lock, password change, role change and with
      // other sign-ins (sessionSeq: at most `slack` sessions started since `user` was read, so
      // with those listed above the cap holds); bumping sessionSeq makes a revoke-all or role
      // change that listed the sessions before this commit list them again.
      {
        type: 'updateUser',
        id: user.id,
        guard: { sessionEpoch: user.sessionEpoch, unlocked: true, passwordHash: user.passwordHash, role: user.role, sessionSeqAtMost: user.sessionSeq + slack },
        bumpSeq: true,
      },
      { type: 'putSession', session },
      // The oldest sessions over the cap end in the same transaction as the new one starts.
      ...ended.map((s): WriteOp => ({ type: 'deleteSession', userId: user.id, id: s.id })),
      ...events,
    ],
    tokens: {
      accessToken,
      renewalToken: ui ? '' : formatRenewalToken({ userId: user.id, sessionId: session.id, generation: 0, secret }),
      tokenType: 'Bearer',
      expiresIn: deps.config.accessTokenTtlSeconds,
      user: toPublicUser(user),
      ...(options.warnings?.length ? { warnings: options.warnings } : {}),
      ...(ui ? { uiSession: formatUiSessionCookie({ userId: user.id, sessionId: session.id, secret: uiSecret }) } : {}),
    },
  };
}

/** The event of sessions ended to keep a user under `AUTH_MAX_SESSIONS_PER_USER`. */
function capRevoked(deps: Deps, user: User, count: number, request: RequestInfo): Promise<WriteOp> {
  return auditOp(deps, {
    type: 'session.revoked',
    userId: user.id,
    actor: { kind: 'system' },
    details: { by: 'system', reason: 'session_cap', count },
    request,
  });
}

/**
 * Starts a session for a user whose credentials were checked against `user` as read: prepares
 * and commits it, preparing again from a fresh read when only `sessionSeq` or the role moved
 * meanwhile (a concurrent sign-in or role change: the credentials checked still hold). Throws
 * the store's `ConflictError` (`user_changed`, `not_found`) when the user was locked, deleted,
 * or had its password or sessions revoked meanwhile, and 503 when sign-ins of the same user
 * keep winning the race.
 */
export async function startSession(deps: Deps, user: User, options: SessionOptions): Promise<{ tokens: TokenPair; sessionId: string }> {
  let current = user;
  for (let attempt = 0; ; attempt++) {
    const { ops, tokens, sessionId } = await prepareSession(deps, current, options);
    try {
      await deps.store.commit(ops);
      return { tokens, sessionId };
    } catch (error) {
      if (!isConflict(error, 'user_changed')) throw error;
      const fresh = await deps.store.getUser(user.id);
      if (!fresh) throw new ConflictError('not_found');
      const stillValid = !fresh.locked && fresh.sessionEpoch === user.sessionEpoch && fresh.passwordHash === user.passwordHash;
      if (!stillValid) throw error;
      if (attempt + 1 >= START_ATTEMPTS) throw new ServiceUnavailableError('Too many concurrent sign-ins to this account. Please try again.');
      current = fresh;
      // Sign-ins of one user at its cap take turns: a random pause keeps a burst of them from
      // retrying in lockstep (and losing to each other again).
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * Math.min(attempt + 1, 8)));
    }
  }
}
