import { readFileSync } from 'node:fs';
import { type BreachedPasswords, decodeBreachedList } from '../../domain/breached-passwords.js';

/**
 * Loads the breached-password artefact from a file (beside the bundle on AWS, `.latch/build/`
 * locally; `LATCH_BREACHED_PASSWORDS_FILE` overrides). One read of ~3.9 MB and a header check, no
 * parsing. A missing or malformed file throws a plain `Error` naming the path and the command
 * that builds it: the check is never skipped silently.
 */
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
