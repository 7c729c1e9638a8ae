import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { KeyRing, PublicKeySet, SigningKey } from '../../ports/services.js';

/**
 * What a key of the ring does (`docs/key-rotation.md`): `current` signs (exactly one), `next` is
 * staged by `latch keys rotate` (published for verifiers, signs nothing yet), `previous` stopped
 * signing and verifies the tokens it signed until `latch keys retire` removes it.
 */
export type KeyStatus = 'current' | 'next' | 'previous';

/**
 * A stored key: a private Ed25519 JWK with its `kid`. A ring written before rotation states
 * existed has no `status`: its first key is the current one and the others are previous.
 */
export interface StoredKey {
  kid: string;
  privateJwk: JWK;
  createdAt: string;
  status?: KeyStatus;
  /** When `keys rotate` staged it (a `next` key). */
  stagedAt?: string;
  /** When it stopped signing (a `previous` key): its last token expires an access-token lifetime (plus a key-ring reload) later. */
  retiredAt?: string;
}

/** The status of every key of a ring, legacy rings (no `status`) included: the first non-`next` key is current when none says so. */
export function statusOf(stored: readonly StoredKey[]): Map<string, KeyStatus> {
  const statuses = new Map<string, KeyStatus>();
  const explicit = stored.find((key) => key.status === 'current');
  const current = explicit ?? stored.find((key) => key.status !== 'next');
  for (const key of stored) statuses.set(key.kid, key === current ? 'current' : key.status === 'next' ? 'next' : 'previous');
  return statuses;
}

/** The key that signs. Throws if the ring has none (only `next` keys, or empty). */
export function currentKeyOf(stored: readonly StoredKey[]): StoredKey {
  const statuses = statusOf(stored);
  const current = stored.find((key) => statuses.get(key.kid) === 'current');
  if (!current) throw new Error('the signing key ring has no current key');
  return current;
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
  const statuses = statusOf(stored);
  const order = (key: StoredKey) => ['current', 'next', 'previous'].indexOf(statuses.get(key.kid) as KeyStatus);
  const sorted = [...stored].sort((a, b) => order(a) - order(b));
  return { keys: sorted.map((key) => ({ ...publicPart(key.privateJwk), kid: key.kid, alg: 'EdDSA', use: 'sig' })) };
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

/** How often a warm container reads its ring again (`AUTH_KEY_RING_TTL_SECONDS`), and the clock it measures with. */
export interface ReloadOptions {
  /** 0: read on every use (tests); undefined: load once. */
  ttlSeconds?: number | undefined;
  /** Milliseconds; the real clock unless a test moves it. */
  now?: () => number;
}

/** After a failed reload the old ring keeps serving, and the next attempt waits this long (not a whole TTL). */
const RETRY_AFTER_FAILURE_MS = 10_000;

/**
 * A value loaded from a source and loaded again once it is older than the TTL, so a rotation
 * reaches warm containers without a cold start. A first load that fails throws (and is tried
 * again on the next call); a reload that fails keeps the ring it has, since refusing every
 * token because Secrets Manager throttled once would be an outage, and tries again shortly.
 * When the source still holds the same keys, the loaded value (and whatever is cached on it,
 * such as the token verifier) is kept.
 */
class Reloading<S, T> {
  private value: { source: string; loaded: T; at: number } | undefined;
  private pending: Promise<T> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly read: () => Promise<S>,
    private readonly build: (source: S) => Promise<T>,
    private readonly options: ReloadOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  get(): Promise<T> {
    const { value } = this;
    const ttl = this.options.ttlSeconds;
    if (value && (ttl === undefined || this.now() - value.at < ttl * 1000)) return Promise.resolve(value.loaded);
    this.pending ??= this.load().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async load(): Promise<T> {
    const previous = this.value;
    try {
      const source = await this.read();
      const fingerprint = JSON.stringify(source);
      if (previous && previous.source === fingerprint) {
        previous.at = this.now();
        return previous.loaded;
      }
      const loaded = await this.build(source);
      this.value = { source: fingerprint, loaded, at: this.now() };
      return loaded;
    } catch (error) {
      // Unreadable or malformed (a half-edited secret): keep the ring that works, try again soon.
      if (!previous) throw error;
      previous.at = this.now() - (this.options.ttlSeconds ?? 0) * 1000 + RETRY_AFTER_FAILURE_MS;
      return previous.loaded;
    }
  }
}

/** What a loaded ring caches: verification keys by `kid`, and the public JWKS (one frozen object per loaded ring). */
interface LoadedPublicRing {
  verifying: Map<string, CryptoKey>;
  jwks: PublicKeySet;
}

async function loadPublicRing(jwks: readonly JWK[]): Promise<LoadedPublicRing> {
  const verifying = new Map<string, CryptoKey>();
  const keys = jwks.map((key) => Object.freeze({ ...publicPart(key), kid: key.kid, alg: 'EdDSA', use: 'sig' }) as JWK);
  for (const key of keys) verifying.set(key.kid as string, (await importJWK(publicPart(key), 'EdDSA')) as CryptoKey);
  return { verifying, jwks: Object.freeze({ keys: Object.freeze(keys) }) };
}

/**
 * {@link KeyRing} for functions that only verify access tokens or serve the JWKS: it is built
 * from the public keys alone, so it cannot sign (`signingKey()` rejects). Loaded on first use
 * and again after `ttlSeconds` ({@link ReloadOptions}).
 */
export class PublicKeyRing implements KeyRing {
  private readonly ring: Reloading<PublicJwks, LoadedPublicRing>;

  constructor(source: PublicJwks | (() => Promise<PublicJwks>), options: ReloadOptions = {}) {
    const read = typeof source === 'function' ? source : async () => source;
    this.ring = new Reloading(read, ({ keys }) => loadPublicRing(keys), options);
  }

  async signingKey(): Promise<SigningKey> {
    throw new Error('this function has the public keys only and cannot sign (infra/constructs/function-access.ts decides who signs)');
  }

  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    return (await this.ring.get()).verifying.get(kid);
  }

  async publicJwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.ring.get()).jwks.keys.map((k) => ({ ...k })) };
  }

  async publicKeySet(): Promise<PublicKeySet> {
    return (await this.ring.get()).jwks;
  }
}

/**
 * {@link KeyRing} over a list of stored keys (the current one signs; current, next and previous
 * ones verify and are published). The list comes from Secrets Manager in AWS, from a file or the
 * environment locally, or from a test; loaded on first use and again after `ttlSeconds`.
 */
export class StaticKeyRing implements KeyRing {
  private readonly ring: Reloading<StoredKey[], LoadedRing>;

  constructor(source: StoredKey[] | (() => Promise<StoredKey[]>), options: ReloadOptions = {}) {
    const read = typeof source === 'function' ? source : async () => source;
    this.ring = new Reloading(read, loadRing, options);
  }

  async signingKey(): Promise<SigningKey> {
    return (await this.ring.get()).signing;
  }

  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    return (await this.ring.get()).verifying.get(kid);
  }

  async publicJwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.ring.get()).jwks.keys.map((k) => ({ ...k })) };
  }

  async publicKeySet(): Promise<PublicKeySet> {
    return (await this.ring.get()).jwks;
  }
}

interface LoadedRing extends LoadedPublicRing {
  signing: SigningKey;
}

async function loadRing(stored: StoredKey[]): Promise<LoadedRing> {
  if (stored.length === 0) throw new Error('the signing key ring is empty');
  const current = currentKeyOf(stored);
  const ring = await loadPublicRing(publicJwksOf(stored).keys);
  const signing: SigningKey = { kid: current.kid, alg: 'EdDSA', key: (await importJWK(current.privateJwk, 'EdDSA')) as CryptoKey };
  return { ...ring, signing };
}

/** Parses the JSON a key secret holds: `{ "keys": StoredKey[] }`. Throws a plain Error if malformed. */
export function parseKeySecret(json: string): StoredKey[] {
  const parsed = JSON.parse(json) as { keys?: StoredKey[] };
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('the signing key secret holds no keys');
  for (const key of parsed.keys) {
    if (typeof key.kid !== 'string' || typeof key.privateJwk !== 'object' || key.privateJwk.crv !== 'Ed25519') {
      throw new Error('the signing key secret holds a malformed key');
    }
    if (key.status !== undefined && !['current', 'next', 'previous'].includes(key.status))
      throw new Error('the signing key secret holds a key of unknown status');
  }
  if (new Set(parsed.keys.map((key) => key.kid)).size !== parsed.keys.length) throw new Error('the signing key secret holds two keys with one kid');
  if (parsed.keys.filter((key) => key.status === 'current').length > 1) throw new Error('the signing key secret holds more than one current key');
  currentKeyOf(parsed.keys);
  return parsed.keys;
}
