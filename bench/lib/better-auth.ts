/**
 * Better Auth 1.7, the peer of row 5, set up to differ from Latch in everything but the hash:
 * its in-memory adapter, email and password on, rate limiting off, and Latch's own argon2id
 * hasher (same function, same parameters) for hashing and verifying.
 */
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import { BENCH_PASSWORD } from './latch.js';

/** How the peer is configured, for the output. */
export const BETTER_AUTH_CONFIGURATION =
  'Better Auth 1.7: memoryAdapter, emailAndPassword enabled with password.hash/verify = Latch Argon2Hasher (argon2id m=19 MiB t=2 p=1), ' +
  'rateLimit off, default sessions (cookie cache off, so getSession reads the session and user from the adapter), ' +
  'called in-process through auth.api.signInEmail / auth.api.getSession (no Request routing).';

const hasher = new Argon2Hasher();

function createAuth() {
  return betterAuth({
    database: memoryAdapter({ user: [], session: [], account: [], verification: [] }),
    secret: 'bench-secret-bench-secret-bench-secret-0123',
    baseURL: 'http://127.0.0.1:3000',
    emailAndPassword: {
      enabled: true,
      password: { hash: (password) => hasher.hash(password), verify: ({ hash, password }) => hasher.verify(hash, password) },
    },
    rateLimit: { enabled: false },
    logger: { disabled: true },
    telemetry: { enabled: false },
  });
}

export interface BetterAuthBench {
  /** Signs in user `i` (of the users made at start); throws unless it got a session. */
  signIn(i: number): Promise<void>;
  /** One `getSession` with a valid session cookie; throws unless it found the session. */
  checkSession(): Promise<void>;
}

/** Creates the instance and `users` users (the first one's session cookie is used for checks). */
export async function startBetterAuth(users: number): Promise<BetterAuthBench> {
  const auth = createAuth();
  const emails: string[] = [];
  for (let i = 0; i < users; i++) {
    const email = `peer-${i}@example.com`;
    await auth.api.signUpEmail({ body: { email, password: BENCH_PASSWORD, name: `Peer ${i}` } });
    emails.push(email);
  }
  const first = await auth.api.signInEmail({ body: { email: emails[0] as string, password: BENCH_PASSWORD }, asResponse: true });
  const cookie = first.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const headers = new Headers({ cookie });
  return {
    signIn: async (i) => {
      const result = await auth.api.signInEmail({ body: { email: emails[i % emails.length] as string, password: BENCH_PASSWORD } });
      if (!result.token) throw new Error('Better Auth sign-in returned no session');
    },
    checkSession: async () => {
      const session = await auth.api.getSession({ headers });
      if (!session) throw new Error('Better Auth getSession found no session');
    },
  };
}
