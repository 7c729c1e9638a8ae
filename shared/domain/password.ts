import { dictionary } from '@zxcvbn-ts/language-common';
import { messages } from './messages.js';

/** Passwords longer than this are refused before hashing (a cheap DoS guard). */
export const PASSWORD_MAX_LENGTH = 4096;

let common: Set<string> | undefined;

/**
 * True when the password (case-insensitively) is in zxcvbn-ts' list of commonly used passwords
 * (about 49,000 entries from real breaches). Loaded once per container, on first use.
 */
export function isCommonPassword(password: string): boolean {
  if (!common) {
    const list = dictionary['passwords-common'];
    common = new Set(Array.isArray(list) ? list.map((p) => String(p).toLowerCase()) : []);
  }
  return common.has(password.toLowerCase());
}

/** Password rules of the contract. Returns the messages for `password`, empty when it passes. */
export function passwordProblems(password: string, minLength: number): string[] {
  // Length counts code points, as NIST 800-63B asks (an emoji is one character).
  const length = [...password].length;
  if (length < minLength) return [messages.field.tooShort(minLength)];
  if (length > PASSWORD_MAX_LENGTH) return [messages.field.tooLong(PASSWORD_MAX_LENGTH)];
  if (isCommonPassword(password)) return [messages.field.tooCommon];
  return [];
}
