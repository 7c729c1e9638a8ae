/**
 * A TOTP code is spent once (`docs/specs/mfa-and-passkeys.md` §12, §15.1 item 4) under heavy
 * concurrency, on DynamoDB Local through the real routes: 30 second steps on 30 challenges, 30
 * step-ups of one session, and both mixed, all with one code. The step is recorded on the user's
 * small `PROFILE#SEQ` item (`totpStep`, issue 17: a spend does not rewrite the user item), so
 * these tests also check the layout: the user item keeps its enrolment step, the sequence item
 * holds the spent one. The race is proven to have happened (`watchTotpSpends`): more than one
 * request read the code unspent and reached the store with it, in flight together, and the
 * store's condition refused all but one. The functions' clock stands still during a race (no
 * step boundary inside it); no wall-clock assertions.
 */
import assert from 'node:assert/strict';
import { after, before, type TestContext, test } from 'node:test';
import { keys } from '../../shared/adapters/dynamodb/table.js';
import { getDeps } from '../../shared/runtime/lambda-deps.js';
import { SEED_PASSWORD } from '../support/accounts.js';
import { firstStep, type MfaUser, movableClock, totpAt, userWithTotp } from '../support/mfa.js';
import { type StepSpends, watchTotpSpends, watchVerifications } from '../support/races.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const RACERS = 30;
let api: TestStack;
let clock: ReturnType<typeof movableClock>;

before(async () => {
  // The losers of a second-step race count as wrong answers: a lockout must not end the test early.
  api = await startTestStack({ AUTH_MAX_FAILED_MFA: '100', AUTH_MAX_FAILED_SIGN_INS: '100' });
  clock = movableClock();
});
after(async () => {
  await api.close();
});

const secondStep = (mfaToken: string, code: string) => api.request('POST', '/session/mfa', { body: { mfaToken, code } });
const stepUp = (mfa: MfaUser, code: string) =>
  api.request('POST', '/session/reauthenticate', { token: mfa.accessToken, body: { currentPassword: SEED_PASSWORD, code } });

/** `count` live challenges of the user (first steps, a few at a time: each verifies the password). */
async function challenges(mfa: MfaUser, count: number): Promise<string[]> {
  const tokens: string[] = [];
  while (tokens.length < count)
    tokens.push(...(await Promise.all(Array.from({ length: Math.min(6, count - tokens.length) }, () => firstStep(api, mfa.email)))));
  return tokens;
}

/**
 * Runs the racers with the functions' clock frozen at 1 s into a fresh step and the store
 * watched; returns the answers, how the commits spending the code's step went, and the step.
 */
async function race(
  mfa: MfaUser,
  racers: (code: string) => Array<Promise<ApiResponse>>,
): Promise<{ answers: ApiResponse[]; spends: StepSpends; step: number }> {
  clock.toStepStart(1);
  clock.freeze();
  const watch = watchTotpSpends(getDeps());
  try {
    const step = Math.floor(clock.nowSeconds() / 30);
    const answers = await Promise.all(racers(await totpAt(mfa.secret, clock.nowSeconds())));
    const spends = watch.steps.get(step);
    assert.ok(spends, 'no commit spent the step');
    return { answers, spends, step };
  } finally {
    watch.restore();
    clock.thaw();
  }
}

/** Exactly one success; every other answer refuses the code (or gave up on contention: nothing written); the race happened. */
function assertSpentOnce(t: TestContext, answers: ApiResponse[], spends: StepSpends): void {
  const refusedBy: Record<string, number> = {};
  for (const reason of spends.refused) refusedBy[reason] = (refusedBy[reason] ?? 0) + 1;
  t.diagnostic(`${spends.sent} commits spent the step (${spends.maxRunning} in flight at once): 1 committed, refused ${JSON.stringify(refusedBy)}`);
  const summary = answers.map((a) => `${a.status} ${a.body?.code ?? ''}`).join(', ');
  assert.equal(answers.filter((a) => a.status === 200).length, 1, summary);
  for (const refused of answers.filter((a) => a.status !== 200))
    assert.ok((refused.status === 401 && refused.body.code === 'invalid_code') || refused.body.code === 'service_unavailable', refused.text);
  assert.equal(spends.committed, 1, JSON.stringify(spends));
  // The race happened: requests read the code unspent and reached the store with it together,
  // and the store's condition (not a read) refused them.
  assert.ok(spends.sent > 1 && spends.maxRunning > 1, `the race did not happen: ${JSON.stringify(spends)}`);
  assert.ok(spends.refused.includes('code_spent'), JSON.stringify(spends));
  assert.ok(
    spends.refused.every((reason) => reason === 'code_spent' || reason === 'ServiceUnavailableError'),
    JSON.stringify(spends.refused),
  );
}

/** The layout after a spend: the user item keeps its enrolment step (not rewritten), the sequence item holds the step spent. */
async function assertStepBesideTheUser(mfa: MfaUser, step: number): Promise<void> {
  const items = (await api.scan()).filter((item) => item.pk === keys.user(mfa.userId).pk);
  const profile = items.find((item) => item.sk === keys.user(mfa.userId).sk) as { totp: { lastStep: number } } | undefined;
  const seq = items.find((item) => item.sk === keys.userSeq(mfa.userId).sk);
  assert.ok(profile && seq);
  assert.ok(profile.totp.lastStep < step, 'the user item was not rewritten by the spend');
  assert.equal(seq.totpStep, step);
  assert.equal((await api.store.getUser(mfa.userId))?.totp?.lastStep, step);
}

/** After the race: the same code is refused again, the next step's code works. */
async function assertNextStepWorks(mfa: MfaUser, spent: string, use: (code: string) => Promise<ApiResponse>): Promise<void> {
  const again = await use(spent);
  assert.equal(again.status, 401, again.text);
  clock.toStepStart(1);
  const next = await use(await totpAt(mfa.secret, clock.nowSeconds()));
  assert.equal(next.status, 200, next.text);
}

test('A TOTP code is spent once even by 30 concurrent second steps', async (t) => {
  const mfa = await userWithTotp(api, clock);
  const tokens = await challenges(mfa, RACERS + 2);
  const racing = tokens.slice(0, RACERS);
  let spent = '';
  const { answers, spends, step } = await race(mfa, (code) => {
    spent = code;
    return racing.map((token) => secondStep(token, code));
  });
  assertSpentOnce(t, answers, spends);
  await assertStepBesideTheUser(mfa, step);
  const [spare, last] = tokens.slice(RACERS) as [string, string];
  await assertNextStepWorks(mfa, spent, async (code) => secondStep(code === spent ? spare : last, code));
});

test('A TOTP code is spent once even by 30 concurrent step-ups', async (t) => {
  const mfa = await userWithTotp(api, clock);
  const verifications = watchVerifications(getDeps());
  let spent = '';
  const { answers, spends, step } = await race(mfa, (code) => {
    spent = code;
    return Array.from({ length: RACERS }, () => stepUp(mfa, code));
  });
  assertSpentOnce(t, answers, spends);
  // The password checks overlapped too: every step-up read the user before any spend landed.
  assert.ok(verifications.maxRunning > 1, `password checks did not overlap: ${JSON.stringify(verifications)}`);
  await assertStepBesideTheUser(mfa, step);
  await assertNextStepWorks(mfa, spent, (code) => stepUp(mfa, code));
});

test('A TOTP code is spent once even when second steps and step-ups race with it', async (t) => {
  const mfa = await userWithTotp(api, clock);
  const tokens = await challenges(mfa, RACERS / 2);
  const { answers, spends, step } = await race(mfa, (code) => [
    ...tokens.map((token) => secondStep(token, code)),
    ...Array.from({ length: RACERS / 2 }, () => stepUp(mfa, code)),
  ]);
  assertSpentOnce(t, answers, spends);
  await assertStepBesideTheUser(mfa, step);
});
