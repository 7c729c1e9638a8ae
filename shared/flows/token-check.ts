import { AuthError, ServiceUnavailableError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { safeEqual } from '../domain/secrets.js';
import { aalOf, amrOf, authTimeOf } from '../domain/totp.js';
import type { AccessTokenSignature } from '../ports/access-token-signature.js';
import type { AuthStore } from '../ports/store.js';
import { type Deps, nowSeconds, type Principal } from './deps.js';

/** Access tokens longer than this are refused before any parsing. */
const MAX_TOKEN_LENGTH = 4096;
/** The only algorithm accepted (the adapters pin it too): the token's header never chooses how it is checked. */
const ALGORITHM = 'EdDSA';
/** The header's `typ` of Latch's access tokens (RFC 9068): no other JWT signed with these keys passes for one. */
const TOKEN_TYPE = 'at+jwt';
const CLOCK_SKEW_SECONDS = 2;
const REQUIRED_CLAIMS = ['sub', 'sid', 'jti', 'iat', 'exp'] as const;

const unauthorized = () => new AuthError('unauthorized', messages.unauthorized);

/** What the token check reads: the configuration (`iss`, `aud`, AAL window), the key ring, the clock and one session read. */
export type TokenCheckDeps = Pick<Deps, 'config' | 'keys' | 'clock' | 'accessTokenSignature'> & { store: Pick<AuthStore, 'getSession'> };

/**
 * The token check of Latch's own authenticated routes (`WITH_TOKEN_CHECK`,
 * `shared/http/token-check.ts`): {@link verifyAccessToken} with the signature adapter the
 * function composed (`deps.accessTokenSignature`, aws-jwt-verify). Without one, a 503, never a pass.
 */
export async function checkAccessToken(deps: TokenCheckDeps, token: string | undefined): Promise<Principal> {
  const signature = deps.accessTokenSignature;
  if (!signature) {
    throw new ServiceUnavailableError(undefined, { cause: new Error('no access-token signature adapter is composed in this function (WITH_TOKEN_CHECK)') });
  }
  return verifyAccessToken(signature, deps, token);
}

/**
 * Checks an access token; the one piece of code behind Latch's own authenticated routes and the
 * authorizer that other services attach (which passes its own adapter, aws-jwt-verify). First the
 * JWT itself: the signature by the adapter (pinned algorithm, key chosen by `kid` among the keys
 * the ring publishes), then here, for both adapters alike, the header (`alg`, `kid`, `typ`) and the
 * claims (`iss`, `aud`, `exp`, `nbf`, `iat`, at most 2 s of clock skew, `sub`, `sid`, `jti`);
 * then exactly one strongly consistent read of the session item, which says whether the session
 * lives and which `jti` is its current access token. Locks, sign-outs, password changes and
 * deletions remove or rotate the session item, so they take effect on the next check.
 * Throws `unauthorized` for every failure, never anything else for a bad token.
 */
export async function verifyAccessToken(
  signature: AccessTokenSignature,
  deps: Pick<TokenCheckDeps, 'config' | 'keys' | 'clock' | 'store'>,
  token: string | undefined,
): Promise<Principal> {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthorized();
  // The ring is loaded before the try: a key-secret outage is a 503 (a deny in the authorizer), not a 401.
  const publicKeys = await deps.keys.publicKeySet();
  const now = nowSeconds(deps);
  let payload: Record<string, unknown>;
  let header: Record<string, unknown>;
  try {
    // The header and payload as the adapter's library decoded them, once the signature verified.
    ({ header, payload } = await signature.verify(token, publicKeys, now, CLOCK_SKEW_SECONDS));
  } catch {
    // Whatever the token is, a failed check is a 401; the keys were loaded before this try.
    throw unauthorized();
  }
  if (header === null || typeof header !== 'object' || header.alg !== ALGORITHM || typeof header.kid !== 'string' || header.typ !== TOKEN_TYPE)
    throw unauthorized();
  if (payload.iss !== deps.config.issuer || payload.aud !== deps.config.audience) throw unauthorized();
  for (const claim of REQUIRED_CLAIMS) if (payload[claim] === undefined) throw unauthorized();
  const { exp, nbf } = payload;
  if (typeof exp !== 'number' || exp + CLOCK_SKEW_SECONDS <= now) throw unauthorized();
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - CLOCK_SKEW_SECONDS > now)) throw unauthorized();
  const { sub, sid, jti, iat } = payload;
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof jti !== 'string') throw unauthorized();
  // A token issued in the future (beyond the skew) was not made by our clock: refuse it.
  if (typeof iat !== 'number' || iat > now + CLOCK_SKEW_SECONDS) throw unauthorized();
  if (sub.length > 64 || sid.length > 64) throw unauthorized();

  // The one read: strongly consistent, by primary key, never through an index.
  const session = await deps.store.getSession(sub, sid);
  if (!session || session.expiresAt <= nowSeconds(deps) || !safeEqual(session.currentJti, jti)) {
    throw unauthorized();
  }
  // amr, authTime and aal from the same read; the level is computed now, so a session that aged
  // past the AAL2 window counts as aal1 even with a token issued at aal2.
  const amr = amrOf(session);
  const authTime = authTimeOf(session);
  return {
    userId: sub,
    sessionId: sid,
    role: session.role,
    email: session.email,
    jti,
    amr,
    authTime,
    aal: aalOf(amr, authTime, now, deps.config.aal2MaxAgeSeconds),
  };
}
