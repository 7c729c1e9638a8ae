/**
 * Email canonicalisation and validation.
 *
 * The canonical form is the lookup and uniqueness key only: mail always goes to the address the
 * account stores. It must be idempotent (canonical(canonical(x)) === canonical(x)), so that two
 * addresses that look alike after normalisation can never be two accounts.
 */

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
  if (input.length > 320 || CONTROL.test(input) || /\s/u.test(input)) return false;
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

/** The part of an address that is safe to log: its domain, never the local part. */
export function emailDomain(input: string): string {
  const at = input.lastIndexOf('@');
  return at >= 0 ? input.slice(at + 1) : '';
}
