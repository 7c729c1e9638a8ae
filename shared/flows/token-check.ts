import { type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { AuthError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { safeEqual } from '../domain/secrets.js';
import type { Deps, Principal } from './deps.js';
import { nowSeconds } from './deps.js';

/** Access tokens longer than this are refused before any parsing. */
const MAX_TOKEN_LENGTH = 4096;
/** The only algorithm accepted. Pinned: the token's header never chooses how it is checked. */
const ALGORITHMS = ['EdDSA'];

const unauthorized = () => new AuthError('unauthorized', messages.unauthorized);

/**
 * Checks an access token; the one piece of code behind Latch's own authenticated routes and the
 * authorizer that other services attach. First the JWT itself (pinned algorithm, key chosen by
 * `kid` among the current and previous keys, `iss`, `aud`, `exp`, at most 2 s of clock skew), then
 * exactly one strongly consistent read of the session item, which says whether the session
 * lives and which `jti` is its current access token. Locks, sign-outs, password changes and
 * deletions remove or rotate the session item, so they take effect on the next check.
 * Throws `unauthorized` for every failure, never anything else for a bad token.
 */
export async function checkAccessToken(deps: Pick<Deps, 'config' | 'keys' | 'store' | 'clock'>, token: string | undefined): Promise<Principal> {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthorized();
  const getKey: JWTVerifyGetKey = async (header) => {
    const key = typeof header.kid === 'string' ? await deps.keys.verificationKey(header.kid) : undefined;
    if (!key) throw new joseErrors.JWKSNoMatchingKey();
    return key;
  };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, getKey, {
      algorithms: ALGORITHMS,
      issuer: deps.config.issuer,
      audience: deps.config.audience,
      clockTolerance: 2,
      currentDate: new Date(deps.clock.now()),
      requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
    }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) throw unauthorized();
    throw error;
  }
  const { sub, sid, jti, iat } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string') throw unauthorized();
  // A token issued in the future (beyond the skew) was not made by our clock: refuse it.
  if (typeof iat !== 'number' || iat > nowSeconds(deps) + 2) throw unauthorized();
  if (sub.length > 64 || sid.length > 64) throw unauthorized();

  // The one read: strongly consistent, by primary key, never through an index.
  const session = await deps.store.getSession(sub, sid);
  if (!session || session.expiresAt <= nowSeconds(deps) || !safeEqual(session.currentJti, jti)) {
    throw unauthorized();
  }
  return { userId: sub, sessionId: sid, role: session.role, email: session.email, jti };
}
