import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BreachedPasswords, decodeBreachedList } from '../../domain/breached-passwords.js';

/**
 * The artefact's path: `LATCH_BREACHED_PASSWORDS_FILE` (set on AWS to the file beside the
 * bundle), else where the build step writes it in this project (`.latch/build/`, found from this
 * module's own place, so the CLI finds it from any working directory).
 */
export function breachedPasswordsFile(env: Record<string, string | undefined>): string {
  return env.LATCH_BREACHED_PASSWORDS_FILE || fileURLToPath(new URL('../../../.latch/build/breached-passwords.bin', import.meta.url));
}

/**
 * Loads the breached-password artefact from a file (beside the bundle on AWS, `.latch/build/`
 * locally; `LATCH_BREACHED_PASSWORDS_FILE` overrides). One read of ~3.9 MB and a header check, no
 * parsing. A missing or malformed file throws a plain `Error` naming the path and the command
 * that builds it: the check is never skipped silently.
 */
/**
 * The list at `file`, read on first use (functions that never check a password never read it).
 * Reading `entries` forces the load: the composition root does so at cold start where the file
 * is expected, so a missing file fails there.
 */
export function lazyBreachedPasswords(file: string): BreachedPasswords {
  let list: BreachedPasswords | undefined;
  const load = () => {
    list ??= loadBreachedPasswords(file);
    return list;
  };
  return {
    get entries() {
      return load().entries;
    },
    get minLength() {
      return load().minLength;
    },
    has: (password) => load().has(password),
  };
}

/** Reads and checks the file now. */
export function loadBreachedPasswords(file: string): BreachedPasswords {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The breached-password list ${file} cannot be read (${reason}). Build it with \`npm run build:breached-passwords\`.`);
  }
  try {
    return decodeBreachedList(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The breached-password list ${file} is malformed (${reason}). Rebuild it with \`npm run build:breached-passwords -- --force\`.`);
  }
}
