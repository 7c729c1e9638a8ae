import { createHmac } from 'node:crypto';
import { randomSecret, safeEqual } from './secrets.js';

/**
 * Formats of the opaque tokens clients carry. Each embeds the ids needed to find its one item
 * (no lookup by hash, no index) and 256 bits of randomness of which only the SHA-256 is stored.
 *   mail token:    <userId>.<secret>
 *   renewal token: <userId>.<sessionId>.<generation>.<secret>
 * A renewal token's secret is a random part and its MAC under the session's `renewalKey`
 * (see {@link renewalSecret}): the MAC lets the server recognise a token it issued for an
 * earlier generation without keeping a list of spent hashes.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;
/** A renewal secret: 43 characters of randomness, then their 43-character MAC. */
const RENEWAL_SECRET = /^[A-Za-z0-9_-]{86}$/;
/** A generation in canonical form (no leading zeros), so one generation has one spelling. */
const GENERATION = /^(0|[1-9][0-9]{0,8})$/;

/** Builds a mail token from its parts. */
export function formatMailToken(userId: string, secret: string): string {
  return `${userId}.${secret}`;
}

/** Splits a mail token; undefined when it is not of our form (answered like an unknown one). */
export function parseMailToken(token: unknown): { userId: string; secret: string } | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const [userId, secret, extra] = token.split('.');
  if (extra !== undefined || !userId || !secret || !UUID.test(userId) || !SECRET.test(secret)) return undefined;
  return { userId, secret };
}

/** The parts of a renewal token. */
export interface RenewalTokenParts {
  userId: string;
  sessionId: string;
  /** 0 for the token issued with the session, +1 per renewal. */
  generation: number;
  secret: string;
}

/** Builds a renewal token from its parts. */
export function formatRenewalToken(parts: RenewalTokenParts): string {
  return `${parts.userId}.${parts.sessionId}.${parts.generation}.${parts.secret}`;
}

/** Splits a renewal token; undefined when it is not of our form. */
export function parseRenewalToken(token: unknown): RenewalTokenParts | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const [userId, sessionId, generation, secret, extra] = token.split('.');
  if (extra !== undefined || !userId || !sessionId || !generation || !secret) return undefined;
  if (!UUID.test(userId) || !UUID.test(sessionId) || !GENERATION.test(generation) || !RENEWAL_SECRET.test(secret)) return undefined;
  return { userId, sessionId, generation: Number(generation), secret };
}

function renewalMac(renewalKey: string, sessionId: string, generation: number, random: string): string {
  return createHmac('sha256', Buffer.from(renewalKey, 'base64url')).update(`${sessionId}.${generation}.${random}`, 'utf8').digest('base64url');
}

/**
 * A fresh secret for generation `generation` of a session: 256 random bits followed by their
 * HMAC-SHA256 under the session's `renewalKey`. Only the SHA-256 of the whole secret is stored
 * (as the session's `renewalHash`), so the stored items never hold a usable renewal token; the
 * MAC only proves, later, that the server issued this secret for this session and generation.
 */
export function renewalSecret(renewalKey: string, sessionId: string, generation: number): string {
  const random = randomSecret();
  return `${random}${renewalMac(renewalKey, sessionId, generation, random)}`;
}

/**
 * True when the server issued `secret` for this session and generation (its MAC checks out).
 * A guessed or forged secret fails here, so it can never be mistaken for a spent real one.
 */
export function isIssuedRenewalSecret(renewalKey: string, sessionId: string, generation: number, secret: string): boolean {
  if (!RENEWAL_SECRET.test(secret)) return false;
  return safeEqual(renewalMac(renewalKey, sessionId, generation, secret.slice(0, 43)), secret.slice(43));
}

/** The parts of a hosted-UI session cookie `<userId>.<sessionId>.<secret>` (`docs/specs/hosted-ui.md` §3). */
export interface UiSessionCookieParts {
  userId: string;
  sessionId: string;
  secret: string;
}

/** Builds the `__Host-latch_ui` cookie's value. */
export function formatUiSessionCookie(parts: UiSessionCookieParts): string {
  return `${parts.userId}.${parts.sessionId}.${parts.secret}`;
}

/** Splits a `__Host-latch_ui` cookie's value; undefined when it is not of our form. */
export function parseUiSessionCookie(value: unknown): UiSessionCookieParts | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  const [userId, sessionId, secret, extra] = value.split('.');
  if (extra !== undefined || !userId || !sessionId || !secret) return undefined;
  if (!UUID.test(userId) || !UUID.test(sessionId) || !SECRET.test(secret)) return undefined;
  return { userId, sessionId, secret };
}
