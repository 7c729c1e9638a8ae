import type { PasswordHasher } from '../../ports/services.js';

/** OWASP's argon2id parameters (Password Storage Cheat Sheet): m=19 MiB, t=2, p=1. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Low-cost argon2id for random look-up secrets (recovery codes), `docs/specs/mfa-and-passkeys.md` §6.2. */
export const LOOKUP_SECRET_PARAMS = { memoryCost: 1024, timeCost: 1, parallelism: 1 } as const;

/** `Algorithm.Argon2id` of `@node-rs/argon2` (a const enum, which isolated modules cannot read). */
const ARGON2ID = 2;

type Argon2 = typeof import('@node-rs/argon2');
let argon2: Promise<Argon2> | undefined;

/** Loaded on first use: functions that never hash (the authorizer) never load the native module. */
function load(): Promise<Argon2> {
  argon2 ??= import('@node-rs/argon2');
  return argon2;
}

/** {@link PasswordHasher} with argon2id from `@node-rs/argon2` (runs off the event loop). */
export class Argon2Hasher implements PasswordHasher {
  async hash(password: string): Promise<string> {
    const { hash } = await load();
    return hash(password, { algorithm: ARGON2ID, ...ARGON2_PARAMS });
  }

  async hashLookupSecret(secret: string): Promise<string> {
    const { hash } = await load();
    return hash(secret, { algorithm: ARGON2ID, ...LOOKUP_SECRET_PARAMS });
  }

  async verify(hash: string, password: string): Promise<boolean> {
    const { verify } = await load();
    try {
      return await verify(hash, password);
    } catch {
      return false; // unparsable hash
    }
  }
}
