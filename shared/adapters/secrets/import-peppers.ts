import type { LegacyPasswords } from '../../ports/legacy-passwords.js';
import { bcryptVerify } from '../crypto/bcrypt-verifier.js';
import { readSecret } from './key-secret.js';

type Env = Record<string, string | undefined>;

/** The pepper map of a JSON object of strings; anything else throws, naming `what` but never a value. */
export function parsePeppers(text: string, what: string): ReadonlyMap<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} must be a JSON object of pepper ids to peppers`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be a JSON object of pepper ids to peppers`);
  const out = new Map<string, string>();
  for (const [id, pepper] of Object.entries(value)) {
    if (typeof pepper !== 'string') throw new Error(`${what}: the pepper ${id} must be a string`);
    out.set(id, pepper);
  }
  return out;
}

/**
 * The legacy-password services of a function or the CLI, by its environment: bcrypt through
 * `bcryptjs`, and the pepper secret from `LATCH_IMPORT_PEPPERS_SECRET` (Secrets Manager, loaded
 * on first use, once per container) or `LATCH_IMPORT_PEPPERS` (JSON, locally). No pepper
 * configured: an empty map.
 */
export function legacyPasswordsOf(env: Env): LegacyPasswords {
  const secretId = env.LATCH_IMPORT_PEPPERS_SECRET;
  const local = env.LATCH_IMPORT_PEPPERS;
  let loading: Promise<ReadonlyMap<string, string>> | undefined;
  const load = (): Promise<ReadonlyMap<string, string>> => {
    if (secretId) {
      loading ??= readSecret(secretId, 'import peppers').then((text) => parsePeppers(text, 'the import peppers secret'));
      // A failed load is tried again by the next request, not cached.
      loading.catch(() => {
        loading = undefined;
      });
      return loading;
    }
    loading ??= Promise.resolve(local ? parsePeppers(local, 'LATCH_IMPORT_PEPPERS') : new Map());
    return loading;
  };
  return { bcryptVerify, peppers: load };
}
