/**
 * Email canonicalisation and validation.
 *
 * The canonical form is what an account stores (`email`, `unconfirmedEmail`), its lookup and
 * uniqueness key, and where mail goes: a look-alike spelling (`ｂｏｂ@example.com`) is the same
 * account and never a second mailbox. It must be idempotent (canonical(canonical(x)) ===
 * canonical(x)), so that two addresses that look alike after normalisation can never be two
 * accounts.
 */

/** Emails longer than this (in UTF-16 code units, as sent) are malformed (RFC 5321's 64 + 1 + 255). */
export const MAX_EMAIL_LENGTH = 320;
// The canonical form becomes DynamoDB keys: the claim's partition key (at most 2048 bytes) and
// the users index's sort key `<canonical>#<id>` (at most 1024 bytes). 960 UTF-8 bytes keeps both.
const MAX_EMAIL_BYTES = 960;

// Default-ignorable code points (Unicode DerivedCoreProperties) and format characters (Cf):
// zero-width spaces and joiners, soft hyphen, bidi controls, variation selectors, tags, BOM.
const IGNORABLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;

/** Computes the canonical form: NFKC, ignorables removed, trimmed, lower-cased without locale. */
export function canonicalizeEmail(input: string): string {
  let value = input;
  // Lower-casing and NFKC can each produce input the other changes (e.g. the Kelvin sign, 'ẞ'),
  // so iterate to a fixed point; two rounds always suffice in practice, four is a hard bound.
  for (let i = 0; i < 4; i++) {
    const next = value.normalize('NFKC').replace(IGNORABLE, '').trim().toLowerCase();
    if (next === value) return next;
    value = next;
  }
  return value;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LOCAL_ATOM = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/**
 * Validates an address in the spirit of Pow's `Pow.Ecto.Schema.Changeset.validate_email/1`:
 * one `@`, a dot-atom local part of at most 64 characters, a domain of at most 255 characters
 * made of LDH labels (Unicode letters allowed), no IP literal, no all-numeric top-level domain,
 * no control characters, no whitespace.
 */
export function isValidEmail(input: string): boolean {
  if (input.length > MAX_EMAIL_LENGTH || new TextEncoder().encode(input).length > MAX_EMAIL_BYTES || CONTROL.test(input) || /\s/u.test(input)) return false;
  const at = input.lastIndexOf('@');
  if (at <= 0 || at !== input.indexOf('@')) return false;
  const local = input.slice(0, at);
  const domain = input.slice(at + 1);
  if (local.length > 64 || domain.length === 0 || domain.length > 255) return false;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return false;
  if (!local.split('.').every((atom) => LOCAL_ATOM.test(atom))) return false;
  if (domain.startsWith('[')) return false; // IP literal
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  if (!labels.every((label) => DOMAIN_LABEL.test(label))) return false;
  const tld = labels[labels.length - 1] ?? '';
  return !/^\d+$/.test(tld);
}

/**
 * The canonical form of an address given as input, or undefined when it is malformed. An input
 * over {@link MAX_EMAIL_LENGTH} is refused before any work is done on it; the canonical form
 * (NFKC may lengthen it) is what is validated, so what is stored is always a valid address
 * that fits in a key.
 */
export function canonicalEmailOf(input: string): string | undefined {
  if (input.length > MAX_EMAIL_LENGTH) return undefined;
  const canonical = canonicalizeEmail(input);
  return isValidEmail(canonical) ? canonical : undefined;
}

/** The part of an address that is safe to log: its domain, never the local part. */
export function emailDomain(input: string): string {
  const at = input.lastIndexOf('@');
  return at >= 0 ? input.slice(at + 1) : '';
}
