/**
 * One user's life through every flow row 7 prices, in order, each step handed to an observer
 * (which meters DynamoDB or times the step). The same script runs on DynamoDB Local and in memory.
 */

import { generate } from 'otplib';
import type { MemoryMailer } from '../../shared/adapters/memory/mailer.js';
import { ExtendedAuthError } from '../../shared/domain/errors.js';
import { renewSession, signIn, signOut } from '../../shared/flows/current-session.js';
import type { Deps } from '../../shared/flows/deps.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { completeMfa } from '../../shared/flows/mfa-second-step.js';
import { confirmTotp, startTotpEnrollment } from '../../shared/flows/mfa-totp.js';
import { requestPasswordReset, resetPassword } from '../../shared/flows/password-reset.js';
import { register } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import type { Flow } from './context.js';
import { BENCH_PASSWORD, lastMailedToken } from './latch.js';

export type Observer = <T>(flow: Flow, step: () => Promise<T>) => Promise<T>;

const defaultRequest = { ip: '198.51.100.7', userAgent: 'latch-bench' };

/** The password the user chooses in the script's reset. */
const RESET_PASSWORD = `${BENCH_PASSWORD} and a new one`;

/** Register (confirmation required), confirm, sign in, renew, authorize, sign out, forget the password and reset it; then TOTP on and a two-step sign-in; `request` is where the user's calls come from. */
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
  // The forgotten password: the request mails a link, the reset sets the new password (and mails the notice).
  await observe('reset-request', () => requestPasswordReset(deps, { email }, request));
  const resetToken = lastMailedToken(deps.mailer, email, 'reset-password');
  await observe('reset', () => resetPassword(deps, resetToken, { password: RESET_PASSWORD, passwordConfirmation: RESET_PASSWORD }, request));

  // The same user turns TOTP on (not observed), then signs in with two steps: the first answers
  // `403 mfa_required` (password check + the challenge's write), the second verifies the code and
  // creates the session. The flows' clock moves one TOTP step on, as a user's next code would.
  const enrolling = await signIn(deps, { email, password: RESET_PASSWORD }, request);
  const owner = await checkAccessToken(deps, enrolling.accessToken);
  const started = await startTotpEnrollment(deps, owner, {}, request);
  const nowSeconds = () => Math.floor(deps.clock.now() / 1000);
  await confirmTotp(deps, owner, { code: await generate({ secret: started.totp.secret, epoch: nowSeconds() }) }, request);
  const clock = deps.clock;
  deps.clock = { now: () => clock.now() + 30_000 };
  try {
    const mfaToken = await observe('mfa-challenge', async () => {
      try {
        await signIn(deps, { email, password: RESET_PASSWORD }, request);
      } catch (error) {
        if (error instanceof ExtendedAuthError && error.code === 'mfa_required') return error.members.mfaToken as string;
        throw error;
      }
      throw new Error('expected mfa_required');
    });
    const code = await generate({ secret: started.totp.secret, epoch: nowSeconds() });
    await observe('mfa-verify', () => completeMfa(deps, { mfaToken, code }, request));
  } finally {
    deps.clock = clock;
  }
}
