import { randomBytes, randomUUID } from 'node:crypto';
import type { MailToken, Session, User } from '../../shared/domain/types.js';

let n = 0;

/** A stored user with sensible defaults. */
export function aUser(overrides: Partial<User> = {}): User {
  n += 1;
  const email = overrides.email ?? `fixture-${process.pid}-${n}-${randomUUID().slice(0, 8)}@example.com`;
  return {
    id: randomUUID(),
    email,
    emailCanonical: email.toLowerCase(),
    emailConfirmed: true,
    unconfirmedEmail: null,
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g',
    role: 'user',
    locked: false,
    invitedBy: null,
    invitationPending: false,
    sessionEpoch: 0,
    sessionSeq: 0,
    attributes: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** A session of a user. */
export function aSession(userId: string, overrides: Partial<Session> = {}): Session {
  return {
    id: randomUUID(),
    userId,
    role: 'user',
    email: 'someone@example.com',
    currentJti: randomUUID(),
    renewalHash: `hash-${randomUUID()}`,
    renewalGeneration: 0,
    renewalKey: randomBytes(32).toString('base64url'),
    rememberMe: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    lastUsedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: 4102444800,
    userAgent: null,
    ip: null,
    ...overrides,
  };
}

/** A mail token of a user. */
export function aToken(userId: string, overrides: Partial<MailToken> = {}): MailToken {
  return {
    userId,
    kind: 'confirmation',
    hash: `hash-${randomUUID()}`,
    email: 'someone@example.com',
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: 4102444800,
    ...overrides,
  };
}
