import type { BreachedPasswords } from './breached-passwords.js';
import type { CommonPasswords } from './common-passwords.js';
import { isContextPassword } from './context-words.js';
import { messages } from './messages.js';

/** Passwords longer than this are refused before hashing (a cheap DoS guard). */
export const PASSWORD_MAX_LENGTH = 4096;

/** What a new password is checked against (see {@link passwordProblems}). */
export interface PasswordPolicy {
  minLength: number;
  /** The account's context words (`contextWords` in `context-words.ts`). */
  context: { words: string[]; contained: string[] };
  /**
   * zxcvbn-ts' list of commonly used passwords from real breaches (compared case-insensitively),
   * as far as it matters: entries shorter than `COMMON_PASSWORD_MIN_LENGTH` (which the length rule
   * refuses first) are left out. A data file read on first use (`shared/adapters/breached-passwords/common.ts`).
   */
  common: CommonPasswords;
  /** The offline breached-password list. */
  breached: BreachedPasswords;
}

/**
 * Password rules of the contract, in its order, first failure wins: length, context words, the
 * common list, the breached list. Returns the messages for `password`, empty when it
 * passes.
 */
export function passwordProblems(password: string, policy: PasswordPolicy): string[] {
  // Length counts code points, as NIST 800-63B asks (an emoji is one character).
  const length = [...password].length;
  if (length < policy.minLength) return [messages.field.tooShort(policy.minLength)];
  if (length > PASSWORD_MAX_LENGTH) return [messages.field.tooLong(PASSWORD_MAX_LENGTH)];
  if (isContextPassword(password, policy.context)) return [messages.field.contextWord];
  if (policy.common.has(password)) return [messages.field.tooCommon];
  if (policy.breached.has(password)) return [messages.field.breached];
  return [];
}
