import { AuthError } from '../domain/errors.js';
import { hashSecret, randomSecret, safeEqual } from '../domain/secrets.js';
import { formatMailToken, parseMailToken } from '../domain/tokens.js';
import type { MailToken, MailTokenKind, User } from '../domain/types.js';
import type { WriteOp } from '../ports/store.js';
import { type Deps, nowIso, nowSeconds } from './deps.js';

const PATHS: Record<MailTokenKind, string> = {
  confirmation: 'confirm-email',
  reset: 'reset-password',
  invitation: 'invitation',
};

const TTL: Record<MailTokenKind, (deps: Deps) => number> = {
  confirmation: (deps) => deps.config.confirmationTokenTtlSeconds,
  reset: (deps) => deps.config.resetTokenTtlSeconds,
  invitation: (deps) => deps.config.invitationTokenTtlSeconds,
};

/**
 * Creates a mail token for a user. The write replaces the user's earlier token of the same kind
 * (one item per user and kind), so a new mail kills the old link.
 */
export function prepareMailToken(deps: Deps, user: User, kind: MailTokenKind, email: string = user.email): { op: WriteOp; link: string; token: MailToken } {
  const secret = randomSecret();
  const token: MailToken = {
    userId: user.id,
    kind,
    hash: hashSecret(secret),
    email,
    createdAt: nowIso(deps),
    expiresAt: nowSeconds(deps) + TTL[kind](deps),
  };
  const link = `${deps.config.appUrl}/${PATHS[kind]}/${formatMailToken(user.id, secret)}`;
  return { op: { type: 'putToken', token }, link, token };
}

/**
 * Finds the live token behind a link: the user's token of that kind, whose hash matches in
 * constant time and which has not expired (checked here because DynamoDB's TTL deletes late).
 * Unknown, malformed, expired and spent tokens are all `invalid_token`.
 */
export async function findMailToken(deps: Deps, kind: MailTokenKind, raw: unknown): Promise<{ token: MailToken; user: User }> {
  const parsed = parseMailToken(raw);
  if (!parsed) throw new AuthError('invalid_token');
  const [token, user] = await Promise.all([deps.store.getToken(parsed.userId, kind), deps.store.getUser(parsed.userId)]);
  const hash = hashSecret(parsed.secret);
  if (!token || !user || !safeEqual(token.hash, hash) || token.expiresAt <= nowSeconds(deps)) {
    throw new AuthError('invalid_token');
  }
  return { token, user };
}

/** The write that spends a token found by {@link findMailToken}; fails if it was spent meanwhile. */
export function consumeOp(deps: Deps, token: MailToken): WriteOp {
  // Conditional delete on the hash and expiry: of two concurrent uses only one can succeed.
  return { type: 'consumeToken', userId: token.userId, kind: token.kind, hash: token.hash, now: nowSeconds(deps) };
}
