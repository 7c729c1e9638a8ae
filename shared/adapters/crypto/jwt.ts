import { KeyObject, sign, verify } from 'node:crypto';

/** The token is not one we accept. Carries no detail on purpose: every reason is a 401. */
export class JwtRejectedError extends Error {
  constructor(readonly reason: string) {
    super(`JWT rejected: ${reason}`);
    this.name = 'JwtRejectedError';
  }
}

/** What a token must satisfy. */
export interface JwtExpectations {
  issuer: string;
  audience: string;
  /** Seconds of clock skew allowed on `exp` and `nbf`. */
  clockToleranceSeconds: number;
  /** The current time in epoch seconds. */
  nowSeconds: number;
  /** Claims that must be present. */
  requiredClaims: readonly string[];
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const ED25519_SIGNATURE_BYTES = 64;
const keyObjects = new WeakMap<CryptoKey, KeyObject>();

const reject = (reason: string): never => {
  throw new JwtRejectedError(reason);
};

function decodeObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return reject(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return reject(`${what} is not an object`);
  return value as Record<string, unknown>;
}

/** The KeyObject of a key ring's CryptoKey (public or private), converted once. */
function keyObjectOf(key: CryptoKey): KeyObject {
  let object = keyObjects.get(key);
  if (!object) {
    object = KeyObject.from(key);
    keyObjects.set(key, object);
  }
  return object;
}

/**
 * Verifies a compact JWS access token signed with Ed25519 (JWS `alg` EdDSA), with node:crypto's
 * synchronous verify: about half the CPU of WebCrypto through jose on this kind of machine, which
 * matters in the authorizer that every request of every attached service goes through (row 1 of
 * `npm run bench`). What it enforces, in order:
 * - exactly three base64url parts (nothing else, no padding);
 * - header: a JSON object with `alg` exactly "EdDSA" (pinned: the header never chooses how the
 *   token is checked, so `none` and HMAC confusion are impossible), no `crit` (we understand no
 *   extensions, RFC 7515 §4.1.11), a string `kid` that the key ring knows;
 * - a 64-byte signature valid for that key (an Ed25519 public key, nothing else);
 * - payload: a JSON object with every required claim, `iss` and `aud` (string, or array
 *   containing it) as expected, numeric `exp` not past and `nbf` (if any) reached, within the
 *   tolerance, and numeric `iat`.
 * Throws {@link JwtRejectedError} for any failure; errors of `keyFor` (a key ring that cannot
 * load) pass through unchanged, since they are outages, not bad tokens.
 */
export async function verifyEdDsaJwt(
  token: string,
  keyFor: (kid: string) => Promise<CryptoKey | undefined>,
  expect: JwtExpectations,
): Promise<Record<string, unknown>> {
  const parts = token.split('.');
  if (parts.length !== 3) return reject('not three parts');
  const [head, body, signature] = parts as [string, string, string];
  if (!BASE64URL.test(head) || !BASE64URL.test(body) || !BASE64URL.test(signature)) return reject('not base64url');

  const header = decodeObject(head, 'header');
  if (header.alg !== 'EdDSA') return reject('algorithm');
  if ('crit' in header) return reject('crit');
  if (typeof header.kid !== 'string') return reject('kid');
  const key = await keyFor(header.kid);
  if (!key) return reject('unknown kid');
  const publicKey = keyObjectOf(key);
  if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'ed25519') return reject('key type');
  const signatureBytes = Buffer.from(signature, 'base64url');
  if (signatureBytes.length !== ED25519_SIGNATURE_BYTES) return reject('signature length');
  if (!verify(null, Buffer.from(`${head}.${body}`, 'ascii'), publicKey, signatureBytes)) return reject('signature');

  const claims = decodeObject(body, 'payload');
  for (const name of expect.requiredClaims) if (!(name in claims)) return reject(`missing ${name}`);
  if (claims.iss !== expect.issuer) return reject('iss');
  const aud = claims.aud;
  if (!(aud === expect.audience || (Array.isArray(aud) && aud.includes(expect.audience)))) return reject('aud');
  const { exp, nbf, iat } = claims;
  if (exp !== undefined && (typeof exp !== 'number' || exp <= expect.nowSeconds - expect.clockToleranceSeconds)) return reject('exp');
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > expect.nowSeconds + expect.clockToleranceSeconds)) return reject('nbf');
  if (iat !== undefined && typeof iat !== 'number') return reject('iat');
  return claims;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * Signs claims as a compact JWS with Ed25519 (`alg` EdDSA) through node:crypto's synchronous
 * sign, the counterpart of {@link verifyEdDsaJwt} (about a fifth of WebCrypto's CPU per token).
 */
export function signEdDsaJwt(header: { kid: string; typ?: string }, claims: Record<string, unknown>, privateKey: CryptoKey): string {
  const key = keyObjectOf(privateKey);
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new Error('the signing key is not an Ed25519 private key');
  const input = `${base64url({ alg: 'EdDSA', ...header })}.${base64url(claims)}`;
  return `${input}.${sign(null, Buffer.from(input, 'ascii'), key).toString('base64url')}`;
}
