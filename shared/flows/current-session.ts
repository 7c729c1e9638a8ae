import { canonicalEmailOf } from '../domain/email.js';
import { AuthError, isConflict, RetryableError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { hashSecret, randomId, safeEqual } from '../domain/secrets.js';
import { formatRenewalToken, isIssuedRenewalSecret, parseRenewalToken, type RenewalTokenParts, renewalSecret } from '../domain/tokens.js';
import { amrOf, authTimeOf } from '../domain/totp.js';
import type { User } from '../domain/types.js';
import { toPublicUser } from '../domain/types.js';
import { runAfterHook } from '../hooks/run.js';
import { auditOp, recordAudit } from './audit.js';
import { checkBreachedPasswordAtSignIn } from './breached-sign-in.js';
import { type Deps, nowIso, nowSeconds, type Principal, type RequestInfo } from './deps.js';
import { verifyDummyPassword } from './dummy-password.js';
import { verifySignInPassword } from './legacy-passwords.js';
import { clearFailedSignIns, type LockoutCheck, recordFailedSignIn, releaseAttempt, reserveAttempt } from './lockout.js';
import { migrateUserOnSignIn } from './migrate-user.js';
import { endSession } from './my-sessions.js';
import { completeFirstFactor } from './second-factor.js';
import { resendConfirmationMail } from './send-mail.js';
import { signAccessToken, type TokenPair } from './token-pair.js';

/** Body of `POST /session`. */
export interface SignInInput {
  email?: string | undefined;
  password?: string | undefined;
  rememberMe?: boolean | undefined;
}

const invalidCredentials = () => new AuthError('invalid_credentials', messages.invalidCredentials);

/**
 * Signs a user in. Unknown emails, users without a password and invited users who have not
 * accepted get the same answer as a wrong password, after one password verification against a
 * dummy hash, so neither the body nor the time tells them apart. Lock and confirmation state are
 * revealed only after a correct password.
 *
 * Brute-force protection (see `lockout.ts`): every attempt first reserves a slot in its email's
 * counter, atomically under `AUTH_MAX_FAILED_SIGN_INS`; without one (the limit is reached or the
 * email or the source address is locked out) the answer is `429` before any password is
 * verified, however many attempts arrive at once. Every `invalid_credentials` answer, for an
 * unknown email too, keeps its slot and counts one failure against the source address; a
 * success clears the email's count; a right password that does not sign in gives its slot back.
 */
export async function signIn(deps: Deps, input: SignInInput, request: RequestInfo): Promise<TokenPair> {
  const password = input.password ?? '';
  // A malformed or oversized email cannot have an account: it goes down the unknown-email path
  // (same dummy hashing) without ever becoming a key, so a 2 KB "email" is a 401, not a 500.
  const emailCanonical = canonicalEmailOf(input.email ?? '') ?? null;
  // The account is read while the attempt is admitted: its email claim is asked for together
  // with the source address's counter, which the DynamoDB adapters send as one BatchGetItem
  // (`shared/adapters/dynamodb/read-batch.ts`). A read changes nothing and decides nothing here:
  // the password is still checked only after the slot is reserved, and the session's commit
  // still condition-checks the user item as it is then (epoch, lock, password, role), so a
  // change between this read and the commit fails the commit as before.
  const found = emailCanonical === null ? Promise.resolve(undefined) : deps.store.findUserByEmail(emailCanonical);
  found.catch(() => undefined); // awaited below; a refusal by the counters must not leave it unhandled
  let lockout: LockoutCheck;
  try {
    lockout = await reserveAttempt(deps, { emailCanonical, ip: request.ip });
  } catch (error) {
    if (error instanceof RetryableError) {
      // Refused before any password check: the event still names the account the attempt was for.
      // An unknown email may be vouched for by the migrateUser hook (lazy migration, migrate-user.ts).
      const user = emailCanonical === null ? undefined : ((await found) ?? (await migrateUserOnSignIn(deps, emailCanonical, password, request)));
      await signInRefused(deps, 'rate_limited', user, emailCanonical, request);
    }
    throw error;
  }
  // An unknown email may be vouched for by the migrateUser hook (lazy migration, migrate-user.ts),
  // after the slot is reserved: the hook checks the password.
  const user = emailCanonical === null ? undefined : ((await found) ?? (await migrateUserOnSignIn(deps, emailCanonical, password, request)));
  if (!user?.passwordHash || user.invitationPending || password === '') {
    await verifyDummyPassword(deps, password);
    await recordFailedSignIn(deps, lockout, user, 'session', request);
    await signInRefused(deps, !user ? 'unknown_user' : user.invitationPending ? 'invitation_pending' : 'bad_password', user, emailCanonical, request);
    throw invalidCredentials();
  }
  // argon2id, or an imported legacy hash that a success upgrades to argon2id (legacy-passwords.ts).
  if (!(await verifySignInPassword(deps, user, password, request))) {
    deps.log.info('sign-in failed', { flow: 'session', userId: user.id, code: 'invalid_credentials' });
    await recordFailedSignIn(deps, lockout, user, 'session', request);
    await signInRefused(deps, 'bad_password', user, emailCanonical, request);
    throw invalidCredentials();
  }
  let started: { tokens: TokenPair; sessionId: string };
  try {
    started = await completeSignIn(deps, user, input, request);
  } catch (error) {
    // The password was right: whatever stopped the sign-in, it was not a guess.
    await releaseAttempt(deps, lockout);
    const reason = refusalReason(error);
    if (reason) await signInRefused(deps, reason, user, emailCanonical, request);
    throw error;
  }
  // After the commit, best effort: the session exists, and a counter left behind only keeps its
  // slots until the window ends (stricter, never looser).
  if (emailCanonical !== null) {
    await clearFailedSignIns(deps, emailCanonical).catch(() => deps.log.warn('could not clear failed sign-ins', { flow: 'session', userId: user.id }));
  }
  deps.log.info('signed in', { flow: 'session', userId: user.id });
  await runAfterHook(deps, 'afterSignIn', { user: started.tokens.user, sessionId: started.sessionId, request, amr: ['pwd'], method: 'password' });
  return started.tokens;
}

/** Why a sign-in with a right password was refused, for its `sign_in` event; undefined for a failure (503) that is no refusal. */
function refusalReason(error: unknown): SignInRefusal | undefined {
  if (!(error instanceof AuthError)) return undefined;
  switch (error.code) {
    case 'account_locked':
      return 'locked';
    case 'email_not_confirmed':
      return 'unconfirmed';
    case 'forbidden':
      return 'hook_rejected';
    case 'invalid_credentials':
      return 'bad_password'; // the password changed between our check and our commit
    default:
      return undefined;
  }
}

/** The reasons a sign-in is refused at the first factor (`sign_in` failure events). */
export type SignInRefusal = 'bad_password' | 'unknown_user' | 'invitation_pending' | 'unconfirmed' | 'locked' | 'rate_limited' | 'hook_rejected';

/**
 * The `sign_in` failure event of a refused attempt: written alone, after the counters (a refusal
 * changes no account state). An address without an account goes under `NOUSER#<day>` with its
 * `emailHash` only. Exactly one per attempt: the refusal paths call it once, a success writes
 * its event in the session's commit, and an outage (503) writes none.
 */
export async function signInRefused(
  deps: Deps,
  reason: SignInRefusal,
  user: User | undefined,
  emailCanonical: string | null,
  request: RequestInfo,
): Promise<void> {
  await recordAudit(deps, {
    type: 'sign_in',
    outcome: 'failure',
    userId: user?.id ?? null,
    emailCanonical,
    details: { method: 'password', reason },
    request,
  });
}

/** After a right password: the account's state, the deployer's hook and the session's commit. */
async function completeSignIn(deps: Deps, user: User, input: SignInInput, request: RequestInfo): Promise<{ tokens: TokenPair; sessionId: string }> {
  assertMaySignIn(user);
  if (!user.emailConfirmed && deps.config.requireEmailConfirmation) {
    // A fresh link bound to the password just verified, queued in the same commit and capped per
    // recipient like every confirmation mail; if the account changed meanwhile (e.g. a
    // re-registration replaced that password) no link is minted for the stale one.
    await resendConfirmationMail(deps, user).catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
    throw new AuthError('email_not_confirmed', messages.emailNotConfirmed);
  }
  const rememberMe = input.rememberMe === true;
  let started: { tokens: TokenPair; sessionId: string };
  try {
    // The one decision point of every sign-in path (second-factor.ts): a user with a second
    // factor gets `403 mfa_required` (no session); anyone else the `beforeSignIn` hook (a refusal
    // is 403 and counts for nothing: the attempt's slot is given back), then the session, whose
    // commit carries its `sign_in` event. A correct password that is in the breached or common
    // lists: a warning and one notice, or 403 (checked before either answer).
    started = await completeFirstFactor(deps, user, {
      method: 'password',
      amr: ['pwd'],
      rememberMe,
      request,
      checks: () => checkBreachedPasswordAtSignIn(deps, user, input.password ?? '', request),
    });
  } catch (error) {
    // The user was locked, deleted or had their password changed between our read and write.
    if (isConflict(error, 'user_changed') || isConflict(error, 'not_found')) {
      const fresh = await deps.store.getUser(user.id);
      if (fresh?.locked) throw new AuthError('account_locked', messages.accountLocked);
      throw invalidCredentials();
    }
    throw error;
  }
  return started;
}

function assertMaySignIn(user: User): void {
  if (user.locked) throw new AuthError('account_locked', messages.accountLocked);
}

/**
 * Renews a session: spends the renewal token, rotates it, and makes the session's previous
 * access token invalid (the session item names exactly one current `jti`). The session keeps its
 * id and its deadline. Reuse revokes the session (theft detection, OAuth 2.0 Security BCP
 * §4.14): a token of an earlier generation that the server really issued (its MAC checks out),
 * however many rotations ago, and a current one that loses the race to spend it (another request
 * spent it meanwhile), so of two renewals racing with one token at most one gets a pair and the
 * session then ends, its new tokens with it. A secret that the server never issued (wrong MAC, a
 * future generation, or the current generation with the wrong secret) is a plain 401 and
 * revokes nothing: revoking takes a token that was once valid.
 */
export async function renewSession(
  deps: Deps,
  input: { renewalToken?: string | undefined },
  request?: RequestInfo,
  /** Whose sessions may be renewed: `null` (`POST /session/renew`) or a hand-off client id (`POST /oauth2/token`). */
  client: string | null = null,
): Promise<TokenPair> {
  const parsed = parseRenewalToken(input.renewalToken);
  if (!parsed) throw new AuthError('unauthorized', messages.unauthorized);
  // A second attempt only when the user changed between our read and our write (e.g. a
  // password change that kept this very session, or a role change): the fresh read decides
  // again, so a session that the change revoked is gone by then and answers 401.
  for (let attempt = 0; ; attempt++) {
    const outcome = await tryRenew(deps, parsed, request, client);
    if (outcome !== 'user_changed' || attempt >= 1) {
      if (typeof outcome === 'string') return renewalRefused(deps, parsed.userId);
      return outcome;
    }
  }
}

/** 401, or 403 account_locked while the user is locked. */
async function renewalRefused(deps: Deps, userId: string): Promise<never> {
  const fresh = await deps.store.getUser(userId);
  if (fresh?.locked) throw new AuthError('account_locked', messages.accountLocked);
  throw new AuthError('unauthorized', messages.unauthorized);
}

/**
 * Ends a session whose renewal token was used twice: whoever holds either copy is signed out.
 * The deletion and its `renewal.reuse_detected` event are one commit.
 */
async function revokeOnReuse(
  deps: Deps,
  userId: string,
  sessionId: string,
  how: 'old_generation' | 'lost_race',
  request: RequestInfo | undefined,
): Promise<'dead'> {
  await deps.store.commit([
    { type: 'deleteSession', userId, id: sessionId },
    await auditOp(deps, { type: 'renewal.reuse_detected', userId, sessionId, actor: { kind: 'system' }, request }),
  ]);
  deps.log.warn('spent renewal token presented: session revoked', { flow: 'session', userId, reuse: how });
  return 'dead';
}

async function tryRenew(
  deps: Deps,
  parsed: RenewalTokenParts,
  request: RequestInfo | undefined,
  client: string | null,
): Promise<TokenPair | 'dead' | 'user_changed'> {
  const [session, user] = await Promise.all([deps.store.getSession(parsed.userId, parsed.sessionId), deps.store.getUser(parsed.userId)]);
  const now = nowSeconds(deps);
  if (!user || !session || session.expiresAt <= now || user.locked) return 'dead';
  // A session renews only for its own client (`docs/specs/hosted-ui.md` §3, §6): a UI session
  // (no renewal token at all) never, a hand-off client's only through `/oauth2/token` with its id.
  // Refused without spending or revoking anything.
  if ((session.client ?? null) !== client || session.uiHash !== undefined) return 'dead';

  // Only a secret this server issued for this session and generation counts as a (spent) token.
  if (parsed.generation > session.renewalGeneration) return 'dead';
  if (!isIssuedRenewalSecret(session.renewalKey, session.id, parsed.generation, parsed.secret)) return 'dead';
  if (parsed.generation < session.renewalGeneration) return revokeOnReuse(deps, user.id, session.id, 'old_generation', request);
  const presented = hashSecret(parsed.secret);
  // The MAC holds but the hash does not: only someone holding the session's key could make that
  // (e.g. from a copy of the table), and the key alone must never renew nor revoke.
  if (!safeEqual(presented, session.renewalHash)) return 'dead';

  const generation = session.renewalGeneration + 1;
  const secret = renewalSecret(session.renewalKey, session.id, generation);
  const jti = randomId();
  // Signed before the commit spends the renewal token: a failing tokenClaims hook must leave the
  // client's renewal token usable (a spent one presented again would revoke the session).
  // A renewal is not an authentication: the token carries the session's amr and authTime.
  const accessToken = await signAccessToken(deps, user, { sessionId: session.id, jti, amr: amrOf(session), authTime: authTimeOf(session) });
  try {
    // One conditional write on the session item alone (1 write unit, no transaction). The user's
    // state needs no guard here: a lock, a revoke-all or a password change that revokes this
    // session deletes the session item (after it read the session list, which holds this
    // session), so a renewal that lands before the deletion dies with it and one that lands after
    // finds no item; a role change rewrites the role of every live session, so `ifRole` (the role
    // this renewal read on the session) refuses a write that would put back a role swept meanwhile.
    await deps.store.commit([
      {
        type: 'updateSession',
        userId: user.id,
        id: session.id,
        // Spends the renewal token: only the request that still sees its hash wins.
        ifRenewalHash: presented,
        ifRole: session.role,
        set: {
          currentJti: jti,
          renewalHash: hashSecret(secret),
          renewalGeneration: generation,
          lastUsedAt: nowIso(deps),
          role: user.role,
          email: user.email,
        },
      },
    ]);
  } catch (error) {
    if (isConflict(error, 'user_changed')) return 'user_changed';
    // Another request spent this very token between our read and our write: reuse.
    if (isConflict(error, 'token_mismatch')) return revokeOnReuse(deps, user.id, session.id, 'lost_race', request);
    if (isConflict(error)) return 'dead';
    throw error;
  }
  return {
    accessToken,
    renewalToken: formatRenewalToken({ userId: user.id, sessionId: session.id, generation, secret }),
    tokenType: 'Bearer',
    expiresIn: deps.config.accessTokenTtlSeconds,
    user: toPublicUser(user),
  };
}

/** Ends the caller's session: its access and renewal tokens stop working at once. */
export async function signOut(deps: Deps, principal: Principal, request?: RequestInfo): Promise<void> {
  await endSession(deps, principal.userId, principal.sessionId, 'sign_out', request);
  deps.log.info('signed out', { flow: 'session', userId: principal.userId });
}
