import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CommonPasswords, decodeCommonPasswords } from '../../domain/common-passwords.js';
import { ServiceUnavailableError } from '../../domain/errors.js';

/** File name of the common-password list, in the repository (`shared/domain/`) and beside a bundle. */
export const COMMON_PASSWORDS_FILE_NAME = 'common-passwords.bin';

/**
 * The list's path: `LATCH_COMMON_PASSWORDS_FILE` (set on AWS to the file beside the bundle),
 * else the repository's copy (`shared/domain/common-passwords.bin`, found from this module's own
 * place, so the local runner, the tests and the CLI read it from any working directory).
 */
export function commonPasswordsFile(env: Record<string, string | undefined>): string {
  return env.LATCH_COMMON_PASSWORDS_FILE || fileURLToPath(new URL(`../../domain/${COMMON_PASSWORDS_FILE_NAME}`, import.meta.url));
}

/** The list could not be read or is malformed (the name is what the 503's log line shows). */
export class CommonPasswordListError extends Error {
  override name = 'CommonPasswordListError';
}

/**
 * The list at `file`, read and unpacked once, on the first password check (functions that never
 * check a password never read it; the JS bundles do not carry it). A missing or malformed file
 * fails that check with `503 service_unavailable` (the HTTP layer logs the cause's name,
 * `CommonPasswordListError`): a common password is never accepted because the list is absent.
 * A failed read is tried again on the next check.
 */
export function lazyCommonPasswords(file: string): CommonPasswords {
  let list: CommonPasswords | undefined;
  return {
    has: (password) => {
      try {
        list ??= loadCommonPasswords(file);
      } catch (error) {
        throw new ServiceUnavailableError(undefined, { cause: error });
      }
      return list.has(password);
    },
  };
}

/** Reads and unpacks the file now; throws a {@link CommonPasswordListError} naming the file and the command that rebuilds it. */
export function loadCommonPasswords(file: string): CommonPasswords {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CommonPasswordListError(
      `The common-password list ${file} cannot be read (${reason}). It ships with Latch; \`npm run generate:common-passwords\` rebuilds it.`,
    );
  }
  try {
    return decodeCommonPasswords(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CommonPasswordListError(`The common-password list ${file} is malformed (${reason}). Rebuild it with \`npm run generate:common-passwords\`.`);
  }
}
