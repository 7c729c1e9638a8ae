import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import { JwtVerifier } from 'aws-jwt-verify/jwt-verifier';
import type { AccessTokenSignature } from '../../ports/access-token-signature.js';
import type { PublicKeySet } from '../../ports/services.js';

/** The only algorithm accepted, pinned on every key handed to the verifier. */
const ALGORITHM = 'EdDSA';

// The JWKS is handed over, never fetched: the URI only names the cache entry. `iss` and `aud` are
// the claims check's (`shared/flows/token-check.ts`), for both adapters alike.
const createVerifier = () => JwtVerifier.create({ issuer: null, audience: null, jwksUri: 'latch:access-token-keys' });
type Verifier = ReturnType<typeof createVerifier>;

/**
 * The verifier of each loaded key ring, cached on the ring's public key set (the same object
 * until the ring changes: a rotation reloads it), so the hot path builds nothing per request.
 */
const verifiers = new WeakMap<PublicKeySet, Verifier>();

function verifierFor(jwks: PublicKeySet): Verifier {
  const cached = verifiers.get(jwks);
  if (cached) return cached;
  const verifier = createVerifier();
  verifier.cacheJwks({ keys: jwks.keys.map((key) => ({ ...key, alg: ALGORITHM, use: 'sig' })) } as Parameters<typeof verifier.cacheJwks>[0]);
  verifiers.set(jwks, verifier);
  return verifier;
}

/**
 * {@link AccessTokenSignature} with aws-jwt-verify's `JwtVerifier.verifySync` (node's synchronous
 * Ed25519 verify; the JWK's `alg` pins EdDSA against the header; an unknown `kid` is refused, the
 * JWKS is never fetched): the authorizer, whose CPU per decision bench row 1 compares with
 * aws-jwt-verify's own, and every function with an authenticated route (`WITH_TOKEN_CHECK`).
 */
export const AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE: AccessTokenSignature = {
  async verify(token, publicKeys, now, skewSeconds) {
    const verifier = verifierFor(publicKeys);
    // aws-jwt-verify checks `exp`/`nbf` against the real time. Our clock is the authority on time
    // (tests move it): the grace lets its check pass exactly when ours can decide.
    const drift = Math.max(0, Date.now() / 1000 - now);
    const payload = verifier.verifySync(token, { graceSeconds: skewSeconds + Math.ceil(drift) }) as Record<string, unknown>;
    // Verified: the header is the signer's, decoded by the library (its own decoder, which verifySync used).
    return { header: decomposeUnverifiedJwt(token).header as Record<string, unknown>, payload };
  },
};
