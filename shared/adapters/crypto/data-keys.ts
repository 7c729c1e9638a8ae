import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ServiceUnavailableError } from '../../domain/errors.js';
import type { DataKeyBinding, DataKeys, Decrypted } from '../../ports/services.js';
import { readSecret } from '../secrets/key-secret.js';

/** Bytes of one data key (AES-256). */
export const DATA_KEY_BYTES = 32;
/** Bytes of the random IV (96 bits, as GCM wants). */
const IV_BYTES = 12;
/** Bytes of the GCM tag, appended to the ciphertext. */
const TAG_BYTES = 16;
/** The version prefix of the stored form. */
const VERSION = 'v1';
/** How often an unknown key id may reload the ring. */
const RELOAD_INTERVAL_MS = 60_000;

/** A parsed ring: the key new ciphertexts use, and every key by id. */
export interface DataKeyRing {
  current: string;
  keys: ReadonlyMap<string, Buffer>;
}

/** A key id: short, safe in the dot-separated stored form. */
const KID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `{ "current": "d2", "keys": { "d1": "<base64url 32 bytes>", … } }`. Throws on anything
 * else, naming `what` but never a key.
 */
export function parseDataKeyRing(text: string, what: string): DataKeyRing {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${what} must be an object { current, keys }`);
  const { current, keys } = parsed as { current?: unknown; keys?: unknown };
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) throw new Error(`${what}: keys must be an object of key id → base64url key`);
  const ring = new Map<string, Buffer>();
  for (const [kid, value] of Object.entries(keys)) {
    if (!KID.test(kid)) throw new Error(`${what}: a key id must be 1–32 letters, digits, _ or -`);
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64url') : Buffer.alloc(0);
    if (bytes.length !== DATA_KEY_BYTES) throw new Error(`${what}: key ${kid} must be ${DATA_KEY_BYTES} bytes in base64url`);
    ring.set(kid, bytes);
  }
  if (typeof current !== 'string' || !ring.has(current)) throw new Error(`${what}: current must name one of its keys`);
  return { current, keys: ring };
}

/** A fresh one-key ring as the secret holds it (the key generator, the local runner, tests). */
export function generateDataKeyRing(kid = 'd1'): string {
  return JSON.stringify({ current: kid, keys: { [kid]: randomBytes(DATA_KEY_BYTES).toString('base64url') } });
}

/** The additional authenticated data: `"<purpose>|<userId>"`. */
function aadOf(binding: DataKeyBinding): Buffer {
  return Buffer.from(`${binding.purpose}|${binding.userId}`, 'utf8');
}

/**
 * {@link DataKeys} with AES-256-GCM from `node:crypto` over a ring loaded by `load` (once, on
 * first use; a failed load is tried again by the next call). A key id the ring does not hold
 * reloads it at most once a minute (a key added by a rotation reaches warm containers), then
 * answers `503`.
 */
export class AesGcmDataKeys implements DataKeys {
  private ring: Promise<DataKeyRing> | undefined;
  private lastReload = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly load: () => Promise<DataKeyRing>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  private current(): Promise<DataKeyRing> {
    if (!this.ring) {
      const loading = this.load();
      this.ring = loading;
      loading.catch(() => {
        if (this.ring === loading) this.ring = undefined;
      });
    }
    return this.ring;
  }

  async encrypt(plaintext: string, binding: DataKeyBinding): Promise<string> {
    const ring = await this.current();
    const key = ring.keys.get(ring.current) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aadOf(binding));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, ring.current, iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  async decrypt(stored: string, binding: DataKeyBinding): Promise<Decrypted | undefined> {
    const parts = stored.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
    const [, kid, ivText, bodyText] = parts as [string, string, string, string];
    if (!KID.test(kid)) return undefined;
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return undefined;
    let ring = await this.current();
    if (!ring.keys.has(kid)) ring = await this.reload(kid);
    const key = ring.keys.get(kid) as Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(aadOf(binding));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plaintext = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      return { plaintext, stale: kid !== ring.current };
    } catch {
      return undefined; // wrong binding or tampered: authentication failed
    }
  }

  /** Reloads the ring for an unknown key id (at most once a minute); still unknown: 503. */
  private async reload(kid: string): Promise<DataKeyRing> {
    const now = this.now();
    if (now - this.lastReload >= RELOAD_INTERVAL_MS) {
      this.lastReload = now;
      this.ring = undefined;
      const ring = await this.current();
      if (ring.keys.has(kid)) return ring;
    }
    throw new ServiceUnavailableError(undefined, { cause: new Error('a ciphertext names a data key the ring does not hold') });
  }
}

type Env = Record<string, string | undefined>;

/**
 * The data-key ring of a function, by its environment: `LATCH_DATA_KEY_SECRET` (AWS: read from
 * Secrets Manager once per container) or `LATCH_DATA_KEYS` (the local runner and tests: the
 * ring's JSON itself). Undefined when neither is set (functions that encrypt nothing).
 */
export function dataKeysOf(env: Env): DataKeys | undefined {
  const secretId = env.LATCH_DATA_KEY_SECRET;
  if (secretId) return new AesGcmDataKeys(async () => parseDataKeyRing(await readSecret(secretId, 'data key'), 'the data key secret'));
  if (env.LATCH_DATA_KEYS) {
    const ring = parseDataKeyRing(env.LATCH_DATA_KEYS, 'LATCH_DATA_KEYS');
    return new AesGcmDataKeys(async () => ring);
  }
  return undefined;
}

/** A ring that was not configured: every use fails (503), naming the settings in the log's cause. */
export const NO_DATA_KEYS: DataKeys = {
  encrypt: () =>
    Promise.reject(new ServiceUnavailableError(undefined, { cause: new Error('no data keys: set LATCH_DATA_KEY_SECRET (AWS) or LATCH_DATA_KEYS (local)') })),
  decrypt: () =>
    Promise.reject(new ServiceUnavailableError(undefined, { cause: new Error('no data keys: set LATCH_DATA_KEY_SECRET (AWS) or LATCH_DATA_KEYS (local)') })),
};
