import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { KeyRing, SigningKey } from '../../ports/services.js';

/** A stored key: a private Ed25519 JWK with its `kid`. The first of a list is the current one. */
export interface StoredKey {
  kid: string;
  privateJwk: JWK;
  createdAt: string;
}

/** Generates a new Ed25519 key for the ring. */
export async function generateStoredKey(kid = `k-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return { kid, privateJwk: await exportJWK(privateKey), createdAt: new Date().toISOString() };
}

function publicPart(jwk: JWK): JWK {
  // Only public members: never `d` (or any other private member) in the JWKS.
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x } as JWK;
}

/** A public JWKS: what the public key secret holds and `/.well-known/jwks.json` serves. */
export interface PublicJwks {
  keys: JWK[];
}

/**
 * The public half of a stored ring, current first: `{kty, crv, x, kid, alg, use}` per key and
 * nothing private. The key generator publishes it in the public key secret for the functions
 * that only verify.
 */
export function publicJwksOf(stored: readonly StoredKey[]): PublicJwks {
  return { keys: stored.map((key) => ({ ...publicPart(key.privateJwk), kid: key.kid, alg: 'EdDSA', use: 'sig' })) };
}

/**
 * Parses the JSON the public key secret holds. Throws a plain Error if it is malformed or if a
 * key carries a private member: a verifier must never be handed one.
 */
export function parsePublicJwks(json: string): PublicJwks {
  const parsed = JSON.parse(json) as { keys?: JWK[] };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('the public key secret holds no keys');
  for (const key of parsed.keys) {
    if (typeof key.kid !== 'string' || key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.x !== 'string') {
      throw new Error('the public key secret holds a malformed key');
    }
    if ('d' in key) throw new Error('the public key secret holds a private key');
  }
  return { keys: parsed.keys };
}

/**
 * {@link KeyRing} for functions that only verify access tokens or serve the JWKS: it is built
 * from the public keys alone, so it cannot sign (`signingKey()` rejects). Loads once; a failed
 * load is tried again on the next call.
 */
export class PublicKeyRing implements KeyRing {
  private loading: Promise<{ verifying: Map<string, CryptoKey>; jwks: JWK[] }> | undefined;

  constructor(private readonly source: PublicJwks | (() => Promise<PublicJwks>)) {}

  private load() {
    this.loading ??= (async () => {
      const { keys } = typeof this.source === 'function' ? await this.source() : this.source;
      const verifying = new Map<string, CryptoKey>();
      for (const key of keys) verifying.set(key.kid as string, (await importJWK(publicPart(key), 'EdDSA')) as CryptoKey);
      return { verifying, jwks: keys.map((key) => ({ ...publicPart(key), kid: key.kid, alg: 'EdDSA', use: 'sig' })) };
    })().catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  async signingKey(): Promise<SigningKey> {
    throw new Error('this function has the public keys only and cannot sign (infra/constructs/function-access.ts decides who signs)');
  }

  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    return (await this.load()).verifying.get(kid);
  }

  async publicJwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.load()).jwks.map((k) => ({ ...k })) };
  }
}

/**
 * {@link KeyRing} over a list of stored keys (current first, then previous ones). The list comes
 * from Secrets Manager in AWS (`SecretsManagerKeyRing` loads it once per container) and from the
 * local runner or tests otherwise.
 */
export class StaticKeyRing implements KeyRing {
  private loading: Promise<LoadedRing> | undefined;

  constructor(private readonly source: StoredKey[] | (() => Promise<StoredKey[]>)) {}

  /** Loads once; a failed load (e.g. Secrets Manager throttled) is tried again on the next call. */
  private load(): Promise<LoadedRing> {
    this.loading ??= loadRing(this.source).catch((error: unknown) => {
      this.loading = undefined;
      throw error;
    });
    return this.loading;
  }

  async signingKey(): Promise<SigningKey> {
    return (await this.load()).signing;
  }

  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    return (await this.load()).verifying.get(kid);
  }

  async publicJwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.load()).jwks.map((k) => ({ ...k })) };
  }
}

interface LoadedRing {
  signing: SigningKey;
  verifying: Map<string, CryptoKey>;
  jwks: JWK[];
}

async function loadRing(source: StoredKey[] | (() => Promise<StoredKey[]>)): Promise<LoadedRing> {
  const stored = typeof source === 'function' ? await source() : source;
  const [current] = stored;
  if (!current) throw new Error('the signing key ring is empty');
  const verifying = new Map<string, CryptoKey>();
  const { keys: jwks } = publicJwksOf(stored);
  for (const jwk of jwks) verifying.set(jwk.kid as string, (await importJWK(publicPart(jwk), 'EdDSA')) as CryptoKey);
  const signing: SigningKey = { kid: current.kid, alg: 'EdDSA', key: (await importJWK(current.privateJwk, 'EdDSA')) as CryptoKey };
  return { signing, verifying, jwks };
}

/** Parses the JSON a key secret holds: `{ "keys": StoredKey[] }`. Throws a plain Error if malformed. */
export function parseKeySecret(json: string): StoredKey[] {
  const parsed = JSON.parse(json) as { keys?: StoredKey[] };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('the signing key secret holds no keys');
  for (const key of parsed.keys) {
    if (typeof key.kid !== 'string' || typeof key.privateJwk !== 'object' || key.privateJwk.crv !== 'Ed25519') {
      throw new Error('the signing key secret holds a malformed key');
    }
  }
  return parsed.keys;
}
