import { SignJWT } from 'jose';
import { ServiceUnavailableError } from '../domain/errors.js';
import { hashSecret, randomId, randomSecret } from '../domain/secrets.js';
import { formatRenewalToken } from '../domain/tokens.js';
import { type PublicUser, type Session, toPublicUser, type User } from '../domain/types.js';
import { logHookFailure, runBeforeHook } from '../hooks/run.js';
import type { WriteOp } from '../ports/store.js';
import { type Deps, nowIso, nowSeconds, type RequestInfo } from './deps.js';

/** The token pair of the contract. */
export interface TokenPair {
  accessToken: string;
  renewalToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: PublicUser;
}

/** Claims Latch sets itself: a `tokenClaims` hook can never replace them. */
const REGISTERED_CLAIMS = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'sid', 'role']);

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
 * Signs an access token for a session of `user`. Claims: iss aud sub sid role iat exp jti, plus
 * those of the `tokenClaims` hook (which cannot replace these). Call it before the commit that
 * makes the session valid, so a failing hook writes nothing.
 */
export async function signAccessToken(
  deps: Pick<Deps, 'config' | 'keys' | 'clock' | 'hooks' | 'log'>,
  user: User,
  ids: { sessionId: string; jti: string },
): Promise<string> {
  const extra = await customClaims(deps, user, ids.sessionId);
  const key = await deps.keys.signingKey();
  const iat = nowSeconds(deps);
  return new SignJWT({ ...extra, sid: ids.sessionId, role: user.role })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(deps.config.issuer)
    .setAudience(deps.config.audience)
    .setSubject(user.id)
    .setIssuedAt(iat)
    .setExpirationTime(iat + deps.config.accessTokenTtlSeconds)
    .setJti(ids.jti)
    .sign(key.key);
}

/**
 * Prepares a new session for a user: the writes that create it (conditioned on the user's
 * `sessionEpoch`, so a concurrent lock, password change or delete makes it fail instead of
 * leaving a session behind) and the token pair to answer with once they are committed.
 */
export async function prepareSession(
  deps: Deps,
  user: User,
  options: { rememberMe: boolean; request: RequestInfo },
): Promise<{ ops: WriteOp[]; tokens: TokenPair; sessionId: string }> {
  const now = nowSeconds(deps);
  const iso = nowIso(deps);
  const secret = randomSecret();
  const session: Session = {
    id: randomId(),
    userId: user.id,
    role: user.role,
    email: user.email,
    currentJti: randomId(),
    renewalHash: hashSecret(secret),
    spentRenewalHashes: [],
    rememberMe: options.rememberMe,
    createdAt: iso,
    lastUsedAt: iso,
    expiresAt: now + (options.rememberMe ? deps.config.rememberMeTtlSeconds : deps.config.sessionTtlSeconds),
    userAgent: options.request.userAgent?.slice(0, 512) ?? null,
    ip: options.request.ip,
  };
  const accessToken = await signAccessToken(deps, user, { sessionId: session.id, jti: session.currentJti });
  return {
    sessionId: session.id,
    ops: [
      // Closes the race with revoke-all: it bumps sessionEpoch first, so this fails afterwards;
      // bumping sessionSeq makes a revoke-all that listed sessions before this commit retry.
      {
        type: 'updateUser',
        id: user.id,
        guard: { sessionEpoch: user.sessionEpoch, unlocked: true, passwordHash: user.passwordHash },
        bumpSeq: true,
      },
      { type: 'putSession', session },
    ],
    tokens: {
      accessToken,
      renewalToken: formatRenewalToken(user.id, session.id, secret),
      tokenType: 'Bearer',
      expiresIn: deps.config.accessTokenTtlSeconds,
      user: toPublicUser(user),
    },
  };
}
