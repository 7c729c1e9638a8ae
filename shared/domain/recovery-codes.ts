import { randomInt } from 'node:crypto';
import type { RecoveryCodeEntry } from './types.js';

/**
 * Recovery codes (`docs/specs/mfa-and-passkeys.md` §6.2): 10 codes of 16 symbols from
 * Crockford's base32 alphabet (80 random bits each), shown as `XXXX-XXXX-XXXX-XXXX`, stored only
 * as low-cost argon2id hashes, each usable once.
 */

/** Crockford's base32: no I, L, O, U. */
export const RECOVERY_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Symbols per code. */
export const RECOVERY_CODE_LENGTH = 16;
/** Codes per set. */
export const RECOVERY_CODE_COUNT = 10;

/** One fresh code, normalised (16 symbols, no dashes). */
export function generateRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < RECOVERY_CODE_LENGTH; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return code;
}

/** `XXXX-XXXX-XXXX-XXXX`: how a code is shown. */
export function formatRecoveryCode(code: string): string {
  return (code.match(/.{1,4}/g) ?? []).join('-');
}

/**
 * A code as typed, normalised: spaces and dashes removed, upper-cased, `O`→`0`, `I` and `L`→`1`.
 * Undefined unless that leaves 16 symbols of the alphabet.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const code = input
    .replace(/[\s-]+/g, '')
    .toUpperCase()
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (code.length !== RECOVERY_CODE_LENGTH) return undefined;
  for (const symbol of code) if (!RECOVERY_ALPHABET.includes(symbol)) return undefined;
  return code;
}

/** What a `code` member is, by its shape (§4): a TOTP code, a recovery code, or neither. */
export type CodeShape = { kind: 'totp'; code: string } | { kind: 'recovery_code'; code: string } | { kind: 'invalid' };

/** Classifies a typed code: 6 digits after removing spaces is TOTP, 16 alphabet symbols after normalisation a recovery code. */
export function codeShapeOf(input: string): CodeShape {
  const digits = input.replace(/\s+/g, '');
  if (/^\d{6}$/.test(digits)) return { kind: 'totp', code: digits };
  const recovery = normalizeRecoveryCode(input);
  return recovery === undefined ? { kind: 'invalid' } : { kind: 'recovery_code', code: recovery };
}

/** How many codes are still unused. */
export function remainingRecoveryCodes(codes: Record<string, RecoveryCodeEntry> | undefined): number {
  return Object.values(codes ?? {}).filter((entry) => entry.usedAt === undefined).length;
}
