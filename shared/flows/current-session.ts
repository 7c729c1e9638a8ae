import { canonicalEmailOf } from '../domain/email.js';
import { AuthError, isConflict } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { hashSecret, randomId, safeEqual } from '../domain/secrets.js';
import { formatRenewalToken, isIssuedRenewalSecret, parseRenewalToken, type RenewalTokenParts, renewalSecret } from '../domain/tokens.js';
import type { User } from '../domain/types.js';
import { toPublicUser } from '../domain/types.js';
import { runAfterHook, runBeforeHook } from '../hooks/run.js';
import { type Deps, nowIso, nowSeconds, type Principal, type RequestInfo } from './deps.js';
import { verifyDummyPassword } from './dummy-password.js';
import { verifySignInPassword } from './legacy-passwords.js';
import { clearFailedSignIns, recordFailedSignIn, releaseAttempt, reserveAttempt } from './lockout.js';
import { migrateUserOnSignIn } from './migrate-user.js';
import { resendConfirmationMail } from './send-mail.js';
import { signAccessToken, startSession, type TokenPair } from './token-pair.js';

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
  const lockout = await reserveAttempt(deps, { emailCanonical, ip: request.ip });
  // An unknown email may be vouched for by the migrateUser hook (lazy migration, migrate-user.ts).
  const user =
    emailCanonical === null
      ? undefined
      : ((await deps.store.findUserByEmail(emailCanonical)) ?? (await migrateUserOnSignIn(deps, emailCanonical, password, request)));
  if (!user?.passwordHash || user.invitationPending || password === '') {
    await verifyDummyPassword(deps, password);
    await recordFailedSignIn(deps, lockout, user);
    throw invalidCredentials();
  }
  // argon2id, or an imported legacy hash that a success upgrades to argon2id (legacy-passwords.ts).
  if (!(await verifySignInPassword(deps, user, password, request))) {
    deps.log.info('sign-in failed', { flow: 'session', userId: user.id, code: 'invalid_credentials' });
    await recordFailedSignIn(deps, lockout, user);
    throw invalidCredentials();
  }
  let started: { tokens: TokenPair; sessionId: string };
  try {
    started = await completeSignIn(deps, user, input, request);
  } catch (error) {
    // The password was right: whatever stopped the sign-in, it was not a guess.
    await releaseAttempt(deps, lockout);
    throw error;
  }
  // After the commit, best effort: the session exists, and a counter left behind only keeps its
  // slots until the window ends (stricter, never looser).
  if (emailCanonical !== null) {
    await clearFailedSignIns(deps, emailCanonical).catch(() => deps.log.warn('could not clear failed sign-ins', { flow: 'session', userId: user.id }));
  }
  deps.log.info('signed in', { flow: 'session', userId: user.id });
  await runAfterHook(deps, 'afterSignIn', { user: started.tokens.user, sessionId: started.sessionId, request });
  return started.tokens;
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
  // The deployer's last word (e.g. an IP allow-list): after every check that could count as a
  // failure, before anything is written. A refusal is 403 and counts for nothing (no failure
  // recorded, no counter cleared: the attempt's slot is given back).
  await runBeforeHook(deps, 'beforeSignIn', { user: toPublicUser(user), rememberMe, request }, { rejectAs: 'forbidden' });
  let started: { tokens: TokenPair; sessionId: string };
  try {
    started = await startSession(deps, user, { rememberMe, request });
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
export async function renewSession(deps: Deps, input: { renewalToken?: string | undefined }): Promise<TokenPair> {
  const parsed = parseRenewalToken(input.renewalToken);
  if (!parsed) throw new AuthError('unauthorized', messages.unauthorized);
  // A second attempt only when the user changed between our read and our write (e.g. a
  // password change that kept this very session, or a role change): the fresh read decides
  // again, so a session that the change revoked is gone by then and answers 401.
  for (let attempt = 0; ; attempt++) {
    const outcome = await tryRenew(deps, parsed);
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

/** Ends a session whose renewal token was used twice: whoever holds either copy is signed out. */
async function revokeOnReuse(deps: Deps, userId: string, sessionId: string, how: 'old_generation' | 'lost_race'): Promise<'dead'> {
  await deps.store.commit([{ type: 'deleteSession', userId, id: sessionId }]);
  deps.log.warn('spent renewal token presented: session revoked', { flow: 'session', userId, reuse: how });
  return 'dead';
}

async function tryRenew(deps: Deps, parsed: RenewalTokenParts): Promise<TokenPair | 'dead' | 'user_changed'> {
  const [session, user] = await Promise.all([deps.store.getSession(parsed.userId, parsed.sessionId), deps.store.getUser(parsed.userId)]);
  const now = nowSeconds(deps);
  if (!user || !session || session.expiresAt <= now || user.locked) return 'dead';

  // Only a secret this server issued for this session and generation counts as a (spent) token.
  if (parsed.generation > session.renewalGeneration) return 'dead';
  if (!isIssuedRenewalSecret(session.renewalKey, session.id, parsed.generation, parsed.secret)) return 'dead';
  if (parsed.generation < session.renewalGeneration) return revokeOnReuse(deps, user.id, session.id, 'old_generation');
  const presented = hashSecret(parsed.secret);
  // The MAC holds but the hash does not: only someone holding the session's key could make that
  // (e.g. from a copy of the table), and the key alone must never renew nor revoke.
  if (!safeEqual(presented, session.renewalHash)) return 'dead';

  const generation = session.renewalGeneration + 1;
  const secret = renewalSecret(session.renewalKey, session.id, generation);
  const jti = randomId();
  // Signed before the commit spends the renewal token: a failing tokenClaims hook must leave the
  // client's renewal token usable (a spent one presented again would revoke the session).
  const accessToken = await signAccessToken(deps, user, { sessionId: session.id, jti });
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
    if (isConflict(error, 'token_mismatch')) return revokeOnReuse(deps, user.id, session.id, 'lost_race');
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
export async function signOut(deps: Deps, principal: Principal): Promise<void> {
  await deps.store.commit([{ type: 'deleteSession', userId: principal.userId, id: principal.sessionId }]);
  deps.log.info('signed out', { flow: 'session', userId: principal.userId });
}
