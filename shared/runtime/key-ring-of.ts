import { PublicKeyRing, parseKeySecret, type ReloadOptions, StaticKeyRing } from '../adapters/crypto/key-ring.js';
import { readKeyRingFile } from '../adapters/crypto/key-ring-file.js';
import { loadPublicKeys, loadSigningKeys } from '../adapters/secrets/key-secret.js';
import type { KeyRing } from '../ports/services.js';
import type { Composition } from './lambda-deps.js';

type Env = Record<string, string | undefined>;

/** A key ring that was not configured: every use fails, naming the settings. */
const NO_KEYS: KeyRing = {
  signingKey: () => Promise.reject(new Error('no signing keys: this function was deployed without key access (function-access.ts)')),
  verificationKey: () => Promise.reject(new Error('no public keys: this function was deployed without key access (function-access.ts)')),
  publicJwks: () => Promise.reject(new Error('no public keys: this function was deployed without key access (function-access.ts)')),
  publicKeySet: () => Promise.reject(new Error('no public keys: this function was deployed without key access (function-access.ts)')),
};

/**
 * The function's key ring, by what its environment grants: `LATCH_SIGNING_KEY_SECRET` (AWS,
 * functions that sign: the private ring), `LATCH_PUBLIC_KEY_SECRET` (AWS, functions that only
 * verify or serve the JWKS: the public ring, which cannot sign), `LATCH_SIGNING_KEYS_FILE` (the
 * local runner: a file `latch keys` rotates), `LATCH_SIGNING_KEYS` (tests: the ring's JSON
 * itself). `LATCH_KEYS=none` marks a function that uses no keys; without any of them the cold
 * start fails. Secrets and the file are read again after `reload.ttlSeconds`
 * (`AUTH_KEY_RING_TTL_SECONDS`), so a rotation reaches warm containers (`docs/key-rotation.md`).
 */
export function keyRingOf(env: Env, reload: ReloadOptions = {}): KeyRing {
  const signingSecret = env.LATCH_SIGNING_KEY_SECRET;
  if (signingSecret) return new StaticKeyRing(() => loadSigningKeys(signingSecret), reload);
  const publicSecret = env.LATCH_PUBLIC_KEY_SECRET;
  if (publicSecret) return new PublicKeyRing(() => loadPublicKeys(publicSecret), reload);
  const file = env.LATCH_SIGNING_KEYS_FILE;
  if (file) return new StaticKeyRing(() => readKeyRingFile(file), reload);
  if (env.LATCH_SIGNING_KEYS) return new StaticKeyRing(parseKeySecret(env.LATCH_SIGNING_KEYS));
  if (env.LATCH_KEYS === 'none') return NO_KEYS;
  throw new Error(
    'Set LATCH_SIGNING_KEY_SECRET or LATCH_PUBLIC_KEY_SECRET (AWS), LATCH_SIGNING_KEYS_FILE or LATCH_SIGNING_KEYS (local) or LATCH_KEYS=none for the signing keys',
  );
}

/**
 * The key ring for `httpFunction`'s options (`Composition.keys`): the functions that sign or
 * verify tokens or serve the JWKS, those with `keys: 'sign'` or `'verify'` in
 * `infra/constructs/function-access.ts` (`email-confirmation` and `password-reset` have none).
 * Its settings are checked at their cold start. Here rather than in `optional-adapters.ts`, whose
 * adapters' module code the functions that compose nothing else would then carry.
 */
export const WITH_KEYS: Composition = { keys: keyRingOf };
