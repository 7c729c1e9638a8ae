import { canonicalizeEmail } from './email.js';

/**
 * Context-specific words a password must not be (NIST SP 800-63B-4 §3.1.1.2, ASVS 6.2.11):
 * `latch`; each label of the app's host but its top-level domain and `www`; the deployer's own
 * words (`AUTH_PASSWORD_CONTEXT_WORDS`); the account's email, its local part and each label of
 * its domain but the top-level one. Words shorter than {@link CONTEXT_WORD_MIN_LENGTH} are left
 * out (too many passwords would contain them by chance). The README lists these words.
 */
export const CONTEXT_WORD_MIN_LENGTH = 4;

function hostLabels(host: string): string[] {
  const labels = host.toLowerCase().split('.').filter(Boolean);
  return labels.slice(0, -1).filter((label) => label !== 'www');
}

function normalize(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The context words of one account (without its email, for a password set before there is one). */
export function contextWords(input: { appUrl: string; extra: readonly string[]; email?: string | undefined }): { words: string[]; contained: string[] } {
  const words = new Set<string>(['latch']);
  for (const label of hostLabels(new URL(input.appUrl).hostname)) words.add(label);
  for (const word of input.extra) words.add(normalize(word.trim()));
  const contained: string[] = [];
  if (input.email) {
    const email = canonicalizeEmail(input.email);
    const at = email.lastIndexOf('@');
    const local = at > 0 ? email.slice(0, at) : email;
    words.add(email);
    words.add(local);
    for (const label of hostLabels(at > 0 ? email.slice(at + 1) : '')) words.add(label);
    contained.push(email, local);
  }
  const long = (w: string) => [...w].length >= CONTEXT_WORD_MIN_LENGTH;
  return { words: [...words].filter(long), contained: contained.filter(long) };
}

/**
 * True when the password, after NFKC and lower-casing and with leading and trailing digits and
 * symbols removed, equals a context word, or when it contains the email or its local part.
 */
export function isContextPassword(password: string, context: { words: string[]; contained: string[] }): boolean {
  const lowered = normalize(password);
  const core = lowered.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  if (context.words.includes(core)) return true;
  return context.contained.some((part) => lowered.includes(part));
}
