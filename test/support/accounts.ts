import assert from 'node:assert/strict';
import { Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import type { User } from '../../shared/domain/types.js';
import { aUser } from './fixtures.js';
import { lastLinkToken } from './mail.js';
import { uniqueEmail } from './services.js';
import type { ApiResponse, TestStack } from './stack.js';

export const PASSWORD = 'correct horse battery staple';
export const NEW_PASSWORD = 'a brand new passphrase';

export interface SignedIn {
  email: string;
  userId: string;
  sessionId: string;
  accessToken: string;
  renewalToken: string;
}

/** The `sid` claim of an access token. */
export function sidOf(accessToken: string): string {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sid: string };
  return payload.sid;
}

/** Signs an existing account in over HTTP. */
export async function signIn(api: TestStack, email: string, options: { rememberMe?: boolean; password?: string; userAgent?: string } = {}): Promise<SignedIn> {
  const response = await api.request('POST', '/session', {
    body: { email, password: options.password ?? PASSWORD, ...(options.rememberMe ? { rememberMe: true } : {}) },
    headers: { 'user-agent': options.userAgent ?? 'latch-tests/1.0' },
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return {
    email,
    userId: response.body.user.id,
    sessionId: sidOf(response.body.accessToken),
    accessToken: response.body.accessToken,
    renewalToken: response.body.renewalToken,
  };
}

/**
 * A new account, signed in. With confirmation required (the default) it registers, uses the
 * mailed link, then signs in; without, registration signs it in.
 */
export async function signedInUser(api: TestStack, options: { rememberMe?: boolean; label?: string } = {}): Promise<SignedIn> {
  const email = uniqueEmail(options.label);
  const registered = await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  if (registered.status === 202) {
    const token = await lastLinkToken(email, 'confirm-email');
    assert.equal((await api.request('POST', `/email-confirmation/${token}`)).status, 200);
  } else {
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
  }
  return signIn(api, email, options);
}

/** Asserts a problem+json answer with this status and code. */
export function assertProblem(response: ApiResponse, status: number, code: string): void {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status} ${response.text}`);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  assert.equal(response.body.code, code);
}

/** What the authorizer decides for an access token (the local runner's `/_local/protected`). */
export async function authorizerAllows(api: TestStack, accessToken: string): Promise<boolean> {
  const response = await api.request('GET', '/_local/protected', { token: accessToken });
  assert.ok(response.status === 200 || response.status === 403, `unexpected ${response.status}`);
  return response.status === 200;
}

/** Every item of a user's partition (user, sessions, tokens) as the table holds it. */
export async function partitionOf(api: TestStack, userId: string): Promise<Record<string, unknown>[]> {
  return (await api.scan()).filter((item) => item.pk === `USER#${userId}`);
}

/** The password of every seeded user (the same as `PASSWORD`). */
export const SEED_PASSWORD = PASSWORD;

let hash: Promise<string> | undefined;

/** Puts a confirmed user straight into the test stack's table (no mail round trip). */
export async function seedUser(api: TestStack, overrides: Partial<User> = {}): Promise<User> {
  hash ??= new Argon2Hasher().hash(SEED_PASSWORD);
  const email = overrides.email ?? uniqueEmail(overrides.role ?? 'user');
  const user = aUser({ email, emailCanonical: email.toLowerCase(), passwordHash: await hash, ...overrides });
  await api.store.commit([{ type: 'createUser', user }]);
  return user;
}

/** Signs a seeded user in over HTTP and returns the token pair. */
export async function signInAs(api: TestStack, user: Pick<User, 'email'>): Promise<{ accessToken: string; renewalToken: string }> {
  const response = await api.request('POST', '/session', { body: { email: user.email, password: SEED_PASSWORD } });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

/** A seeded admin and a fresh access token of theirs. */
export async function anAdmin(api: TestStack): Promise<{ user: User; token: string }> {
  const user = await seedUser(api, { role: 'admin' });
  return { user, token: (await signInAs(api, user)).accessToken };
}
