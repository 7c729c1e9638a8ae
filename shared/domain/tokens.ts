/**
 * Formats of the opaque tokens clients carry. Each embeds the ids needed to find its one item
 * (no lookup by hash, no index) and a 256-bit secret of which only the SHA-256 is stored.
 *   mail token:    <userId>.<secret>
 *   renewal token: <userId>.<sessionId>.<secret>
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

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

/** Builds a renewal token from its parts. */
export function formatRenewalToken(userId: string, sessionId: string, secret: string): string {
  return `${userId}.${sessionId}.${secret}`;
}

/** Splits a renewal token; undefined when it is not of our form. */
export function parseRenewalToken(token: unknown): { userId: string; sessionId: string; secret: string } | undefined {
  if (typeof token !== 'string' || token.length > 200) return undefined;
  const [userId, sessionId, secret, extra] = token.split('.');
  if (extra !== undefined || !userId || !sessionId || !secret) return undefined;
  if (!UUID.test(userId) || !UUID.test(sessionId) || !SECRET.test(secret)) return undefined;
  return { userId, sessionId, secret };
}
