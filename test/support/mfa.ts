import assert from 'node:assert/strict';
import { generate } from 'otplib';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { SEED_PASSWORD, seedUser, signInAs } from './accounts.js';
import type { TestStack } from './stack.js';

/**
 * Helpers of the second-factor tests: a clock the test moves (the in-process functions' deps
 * clock: TOTP steps, freshness and expiry follow it; no wall-clock assertions), codes computed
 * by `otplib` from an enrolment's secret, and a user with TOTP on.
 */

/** Moves the functions' clock: `shift(seconds)` adds to it. Call once per process, after the stack started. */
export function movableClock(): {
  shift(seconds: number): void;
  nowSeconds(): number;
  toStepStart(offsetIntoStep: number): void;
  /** Stops the clock (only `shift`/`toStepStart` move it) until `thaw()`: for assertions near a step boundary on a slow machine. */
  freeze(): void;
  thaw(): void;
} {
  const deps = getDeps();
  let offsetMs = 0;
  let frozenAt: number | undefined;
  const realNow = () => frozenAt ?? Date.now();
  deps.clock = { now: () => realNow() + offsetMs };
  const nowSeconds = () => Math.floor((realNow() + offsetMs) / 1000);
  return {
    freeze() {
      frozenAt = Date.now();
    },
    thaw() {
      if (frozenAt !== undefined) offsetMs -= Date.now() - frozenAt; // resume where it stopped
      frozenAt = undefined;
    },
    shift(seconds) {
      offsetMs += seconds * 1000;
    },
    nowSeconds,
    /** Moves forward to `offsetIntoStep` seconds into the next 30 s step (a step boundary never falls inside a short test). */
    toStepStart(offsetIntoStep) {
      const now = nowSeconds();
      const next = (Math.floor(now / 30) + 1) * 30 + offsetIntoStep;
      offsetMs += (next - now) * 1000;
    },
  };
}

/** The TOTP code of a secret at an instant (epoch seconds). */
export function totpAt(secret: string, epochSeconds: number): Promise<string> {
  return generate({ secret, epoch: epochSeconds });
}

export interface MfaUser {
  email: string;
  userId: string;
  accessToken: string;
  secret: string;
  recoveryCodes: string[];
}

/** A seeded user, signed in, with TOTP turned on (the enrolment's secret and the recovery codes shown once). */
export async function userWithTotp(api: TestStack, clock: ReturnType<typeof movableClock>): Promise<MfaUser> {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const started = await api.request('POST', '/me/mfa/totp', { token: accessToken, body: { currentPassword: SEED_PASSWORD } });
  assert.equal(started.status, 201, started.text);
  const secret = started.body.totp.secret as string;
  const confirmed = await api.request('POST', '/me/mfa/totp/confirm', { token: accessToken, body: { code: await totpAt(secret, clock.nowSeconds()) } });
  assert.equal(confirmed.status, 200, confirmed.text);
  // The confirming code's step is spent: later codes come from the next step.
  clock.toStepStart(1);
  return { email: user.email, userId: user.id, accessToken, secret, recoveryCodes: confirmed.body.recoveryCodes };
}

/** The first step of a sign-in of an MFA user: `403 mfa_required` and its `mfaToken`. */
export async function firstStep(api: TestStack, email: string, body: Record<string, unknown> = {}): Promise<string> {
  const answer = await api.request('POST', '/session', { body: { email, password: SEED_PASSWORD, ...body } });
  assert.equal(answer.status, 403, answer.text);
  assert.equal(answer.body.code, 'mfa_required');
  return answer.body.mfaToken as string;
}

/** A whole two-step sign-in with a TOTP code at the functions' clock (move to a fresh step first if one was spent). */
export async function signInWithTotp(
  api: TestStack,
  mfa: Pick<MfaUser, 'email' | 'secret'>,
  clock: ReturnType<typeof movableClock>,
): Promise<{ accessToken: string; renewalToken: string }> {
  const mfaToken = await firstStep(api, mfa.email);
  const answer = await api.request('POST', '/session/mfa', { body: { mfaToken, code: await totpAt(mfa.secret, clock.nowSeconds()) } });
  assert.equal(answer.status, 200, answer.text);
  return answer.body;
}

/** Turns TOTP on for an existing user with a password (through the API); returns the secret. The next code comes from the next step. */
export async function enrolTotp(api: Pick<TestStack, 'request'>, email: string, password: string, clock: ReturnType<typeof movableClock>): Promise<string> {
  const session = await api.request('POST', '/session', { body: { email, password } });
  assert.equal(session.status, 200, session.text);
  const token = session.body.accessToken as string;
  const started = await api.request('POST', '/me/mfa/totp', { token, body: { currentPassword: password } });
  assert.equal(started.status, 201, started.text);
  const secret = started.body.totp.secret as string;
  const confirmed = await api.request('POST', '/me/mfa/totp/confirm', { token, body: { code: await totpAt(secret, clock.nowSeconds()) } });
  assert.equal(confirmed.status, 200, confirmed.text);
  clock.toStepStart(1);
  return secret;
}

/** A code that is not the right one at this instant (a wrong code that is certainly wrong). */
export async function wrongTotpAt(secret: string, epochSeconds: number): Promise<string> {
  const right = Number(await totpAt(secret, epochSeconds));
  return String((right + 1) % 1_000_000).padStart(6, '0');
}
