import assert from 'node:assert/strict';
import { Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import type { User } from '../../shared/domain/types.js';
import { aUser } from './fixtures.js';
import { uniqueEmail } from './services.js';
import type { TestStack } from './stack.js';

/** The password of every seeded user. */
export const SEED_PASSWORD = 'correct horse battery staple';

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
