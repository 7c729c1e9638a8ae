import { JwtVerifier } from 'aws-jwt-verify';
import { AuthError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import { safeEqual } from '../domain/secrets.js';
import { aalOf, amrOf, authTimeOf } from '../domain/totp.js';
import type { AuthStore } from '../ports/store.js';
import type { Deps, Principal } from './deps.js';
import { nowSeconds } from './deps.js';

/** Access tokens longer than this are refused before any parsing. */
const MAX_TOKEN_LENGTH = 4096;
/** The only algorithm accepted. Pinned on every verification key: the token's header never chooses how it is checked. */
const ALGORITHM = 'EdDSA';
const CLOCK_SKEW_SECONDS = 2;
const REQUIRED_CLAIMS = ['sub', 'sid', 'jti', 'iat', 'exp'] as const;

/**
 * The verifier of each loaded key ring, cached on the ring's public key set (the same object
 * until the ring changes: a rotation reloads it), so the hot path builds nothing per request.
 */
const verifiers = new WeakMap<object, ReturnType<typeof JwtVerifier.create<{ issuer: string; audience: string; jwksUri: string }>>>();

async function verifierFor(deps: Pick<Deps, 'config' | 'keys'>) {
  const jwks = await deps.keys.publicKeySet();
  const cached = verifiers.get(jwks);
  if (cached) return cached;
  // The JWKS is handed over, never fetched: the URI only names the cache entry.
  const verifier = JwtVerifier.create({ issuer: deps.config.issuer, audience: deps.config.audience, jwksUri: `${deps.config.issuer}/.well-known/jwks.json` });
  verifier.cacheJwks({ keys: jwks.keys.map((key) => ({ ...key, alg: ALGORITHM, use: 'sig' })) } as Parameters<typeof verifier.cacheJwks>[0]);
  verifiers.set(jwks, verifier);
  return verifier;
}

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
export async function checkAccessToken(
  deps: Pick<Deps, 'config' | 'keys' | 'clock'> & { store: Pick<AuthStore, 'getSession'> },
  token: string | undefined,
): Promise<Principal> {
  if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthorized();
  const verifier = await verifierFor(deps);
  const now = nowSeconds(deps);
  let payload: Record<string, unknown>;
  try {
    // aws-jwt-verify checks the signature with node's synchronous Ed25519 verify (the JWK's `alg`
    // pins EdDSA against the header), `iss`, `aud`, and `exp`/`nbf` against the real time. Our
    // clock is the authority on time (tests move it): the grace lets its check pass exactly when
    // ours can decide, and ours below applies the 2 s skew to the deps' clock.
    const drift = Math.max(0, Date.now() / 1000 - now);
    payload = verifier.verifySync(token, { graceSeconds: CLOCK_SKEW_SECONDS + Math.ceil(drift) }) as Record<string, unknown>;
  } catch {
    // Whatever the token is, a failed check is a 401; the keys were loaded before this try.
    throw unauthorized();
  }
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
