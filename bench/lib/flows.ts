/**
 * One user's life through every flow row 7 prices, in order, each step handed to an observer
 * (which meters DynamoDB or times the step). The same script runs on DynamoDB Local and in memory.
 */

import type { MemoryMailer } from '../../shared/adapters/memory/mailer.js';
import { renewSession, signIn, signOut } from '../../shared/flows/current-session.js';
import type { Deps } from '../../shared/flows/deps.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { register } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import type { Flow } from './context.js';
import { BENCH_PASSWORD, lastMailedToken } from './latch.js';

export type Observer = <T>(flow: Flow, step: () => Promise<T>) => Promise<T>;

const defaultRequest = { ip: '198.51.100.7', userAgent: 'latch-bench' };

/** Register (confirmation required), confirm, sign in, renew, authorize, sign out; `request` is where the user's calls come from. */
export async function runFlowScript(
  deps: Deps & { mailer: MemoryMailer },
  observe: Observer,
  request: { ip: string; userAgent: string } = defaultRequest,
): Promise<void> {
  if (!deps.config.requireEmailConfirmation) throw new Error('the flow script needs email confirmation on');
  const email = `flow-${crypto.randomUUID()}@example.com`;
  const registered = await observe('register', () => register(deps, { email, password: BENCH_PASSWORD, passwordConfirmation: BENCH_PASSWORD }, request));
  if (registered.kind !== 'pending') throw new Error('expected a pending registration');
  const token = lastMailedToken(deps.mailer, email, 'confirm-email');
  await observe('confirm', () => confirmEmail(deps, token));
  const signedIn = await observe('sign-in', () => signIn(deps, { email, password: BENCH_PASSWORD }, request));
  const renewed = await observe('renew', () => renewSession(deps, { renewalToken: signedIn.renewalToken }));
  const principal = await observe('authorize', () => checkAccessToken(deps, renewed.accessToken));
  await observe('sign-out', () => signOut(deps, principal));
}
