import type { BreachedPasswords } from './breached-passwords.js';
import { COMMON_PASSWORDS } from './common-passwords.data.js';
import { COMMON_PASSWORD_MIN_LENGTH, decodeWordList } from './common-passwords.js';
import { isContextPassword } from './context-words.js';
import { messages } from './messages.js';

/** Passwords longer than this are refused before hashing (a cheap DoS guard). */
export const PASSWORD_MAX_LENGTH = 4096;

let common: Set<string> | undefined;

/**
 * True when the password (case-insensitively) is in zxcvbn-ts' list of commonly used passwords
 * from real breaches, as far as the list matters: entries shorter than
 * {@link COMMON_PASSWORD_MIN_LENGTH} (which the length rule refuses first) are left out. The list
 * is embedded compressed (`npm run generate:common-passwords` derives it from the package) and
 * unpacked once per container, on first use.
 */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(decodeWordList(COMMON_PASSWORDS));
  return common.has(password.toLowerCase());
}

/** What a new password is checked against (see {@link passwordProblems}). */
export interface PasswordPolicy {
  minLength: number;
  /** The account's context words (`contextWords` in `context-words.ts`). */
  context: { words: string[]; contained: string[] };
  /** The offline breached-password list. */
  breached: BreachedPasswords;
}

/**
 * Password rules of the contract, in its order, first failure wins: length, context words, the
 * embedded common list, the breached list. Returns the messages for `password`, empty when it
 * passes.
 */
export function passwordProblems(password: string, policy: PasswordPolicy): string[] {
  // Length counts code points, as NIST 800-63B asks (an emoji is one character).
  const length = [...password].length;
  if (length < policy.minLength) return [messages.field.tooShort(policy.minLength)];
  if (length > PASSWORD_MAX_LENGTH) return [messages.field.tooLong(PASSWORD_MAX_LENGTH)];
  if (isContextPassword(password, policy.context)) return [messages.field.contextWord];
  if (isCommonPassword(password)) return [messages.field.tooCommon];
  if (policy.breached.has(password)) return [messages.field.breached];
  return [];
}
