import type { PublicKeySet } from './services.js';

/**
 * The signature half of the access-token check (`shared/flows/token-check.ts` does the claims):
 * the library behind it is an adapter (`shared/adapters/jwt/aws-jwt-verify-signature.ts`, in the
 * authorizer and, through `WITH_TOKEN_CHECK`, in every function with an authenticated route). The
 * contract suite `test/contract/access-token-signature-contract.ts` holds any adapter to it.
 */
export interface AccessTokenSignature {
  /**
   * The header and payload of `token` when it is a compact JWS whose header says `alg: EdDSA` (pinned: the
   * header never chooses how it is checked) and a `kid` of a key the ring publishes (current,
   * next or previous), and whose signature verifies under that key. Throws for anything else.
   * `now` (epoch seconds, the deps' clock) is for libraries that check `exp`/`nbf` themselves:
   * they are given the same instant and skew as the claims check, which decides.
   */
  verify(token: string, publicKeys: PublicKeySet, now: number, skewSeconds: number): Promise<VerifiedToken>;
}

/** A verified token's protected header and payload, as the library decoded them (no JWT is parsed by hand). */
export interface VerifiedToken {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}
