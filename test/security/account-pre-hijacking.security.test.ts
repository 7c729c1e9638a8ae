/**
 * Property: account pre-hijacking gains nothing. Whoever registers someone else's address first
 * (and never confirms) does not keep the account: a later registration of the still unconfirmed
 * address replaces its password and fields and kills the earlier confirmation links in the same
 * commit, so confirming only ever activates the password of the link that was used. An account
 * never confirmed expires with its last link, and its address registers afresh. On DynamoDB
 * Local, through the HTTP routes (the races) and through the flows with an injected clock (the
 * expiry).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { register } from '../../shared/flows/registration.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { assertProblem } from '../support/accounts.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { lastMailedToken, memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const ATTACKER = 'the attacker chose this passphrase';
const OWNER = 'the owner chose this passphrase';
const ATTRIBUTES = JSON.stringify({ nickname: { type: 'string', maxLength: 40 } });
let api: TestStack;

before(async () => {
  // Every registration here must mail its link: the per-recipient cap has its own tests
  // (mail-floods-are-capped, and the capped re-registration below).
  api = await startTestStack({ AUTH_USER_ATTRIBUTES: ATTRIBUTES, AUTH_MAX_FAILED_SIGN_INS: '1000', AUTH_MAIL_RECIPIENT_LIMIT: '1000' });
});
after(async () => {
  await api.close();
});

const links = async (email: string) => {
  const out: string[] = [];
  for (const mail of await mailsTo(email)) {
    const match = /\/confirm-email\/([A-Za-z0-9._~-]+)/.exec(mail.text);
    if (match?.[1]) out.push(match[1]);
  }
  return out;
};
const signInStatus = async (email: string, password: string) => (await api.request('POST', '/session', { body: { email, password } })).status;

test("attacker registers, owner registers, owner confirms with the newest link: the owner's password and fields, the attacker's link dead", async () => {
  const email = uniqueEmail('prehijack');
  assert.equal((await api.request('POST', '/registration', { body: { email, password: ATTACKER, nickname: 'attacker' } })).status, 202);
  const attackerLink = await lastLinkToken(email, 'confirm-email');
  // The attacker signs in before confirmation: that mails one more link, bound to their password.
  assertProblem(await api.request('POST', '/session', { body: { email, password: ATTACKER } }), 403, 'email_not_confirmed');
  const attackerSignInLink = await lastLinkToken(email, 'confirm-email');
  assert.notEqual(attackerSignInLink, attackerLink);

  assert.equal((await api.request('POST', '/registration', { body: { email, password: OWNER, nickname: 'owner' } })).status, 202);
  const ownerLink = await lastLinkToken(email, 'confirm-email');
  assert.equal((await links(email)).length, 3);
  // Every link issued for the attacker's password is dead.
  assertProblem(await api.request('POST', `/email-confirmation/${attackerLink}`), 404, 'invalid_token');
  assertProblem(await api.request('POST', `/email-confirmation/${attackerSignInLink}`), 404, 'invalid_token');

  const confirmed = await api.request('POST', `/email-confirmation/${ownerLink}`);
  assert.equal(confirmed.status, 200, confirmed.text);
  assert.equal(confirmed.body.user.nickname, 'owner');
  assert.equal(await signInStatus(email, OWNER), 200);
  assertProblem(await api.request('POST', '/session', { body: { email, password: ATTACKER } }), 401, 'invalid_credentials');
  // Confirmed: the account no longer expires, and a third registration changes nothing.
  const stored = (await api.scan()).filter((item) => item.pk === `EMAIL#${email}` || (item.pk === `USER#${confirmed.body.user.id}` && item.sk === 'PROFILE'));
  assert.equal(stored.length, 2);
  for (const item of stored) assert.equal(item.ttl, undefined, `${item.sk} still expires`);
  assert.equal((await api.request('POST', '/registration', { body: { email, password: ATTACKER } })).status, 202);
  assert.equal(await signInStatus(email, OWNER), 200);
  assert.equal(await signInStatus(email, ATTACKER), 401);
});

test('12 registrations of one unconfirmed address race: one account, one live link, and it activates the password stored with it', async () => {
  const email = uniqueEmail('prehijack-race');
  assert.equal((await api.request('POST', '/registration', { body: { email, password: `${ATTACKER} 0`, nickname: 'r0' } })).status, 202);
  const spans: Array<[number, number]> = [];
  const responses = await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      const started = performance.now();
      const response = await api.request('POST', '/registration', { body: { email, password: `${OWNER} ${i + 1}`, nickname: `r${i + 1}` } });
      spans.push([started, performance.now()]);
      return response;
    }),
  );
  for (const response of responses) assert.equal(response.status, 202, response.text);
  // The race happened: requests were in flight at the same time.
  const overlapping = spans.filter(([s], i) => spans.some(([s2, e2], j) => j !== i && s2 <= s && s < e2)).length;
  assert.ok(overlapping >= 2, 'the registrations did not overlap');

  const users = (await api.scan()).filter((item) => item.sk === 'PROFILE' && item.emailCanonical === email);
  assert.equal(users.length, 1);
  const all = await links(email);
  assert.equal(all.length, 13, 'every registration mailed a link');
  const outcomes = [];
  for (const link of all) outcomes.push(await api.request('POST', `/email-confirmation/${link}`));
  const winners = outcomes.filter((r) => r.status === 200);
  assert.equal(winners.length, 1, 'exactly one link is live');
  for (const loser of outcomes.filter((r) => r.status !== 200)) assertProblem(loser, 404, 'invalid_token');
  // The password activated is the one written with the live link (its registration's nickname
  // came in the same commit); every other password is refused.
  const k = Number(String(winners[0]?.body.user.nickname).slice(1));
  assert.ok(k >= 1 && k <= 12, `the first registration's password survived the race (r${k})`);
  for (let i = 0; i <= 12; i++) {
    const password = i === 0 ? `${ATTACKER} 0` : `${OWNER} ${i}`;
    assert.equal(await signInStatus(email, password), i === k ? 200 : 401, `password ${i}`);
  }
});

test('a confirmation racing a re-registration activates the password of the link that was used, never the replacement', async (t) => {
  const seen = new Set<string>();
  let overlapped = 0;
  for (let round = 0; round < 10; round++) {
    const email = uniqueEmail('prehijack-confirm-race');
    await api.request('POST', '/registration', { body: { email, password: ATTACKER } });
    const first = await lastLinkToken(email, 'confirm-email');
    const spans: Array<[number, number]> = [];
    const timed = async <T>(index: number, run: () => Promise<T>): Promise<T> => {
      const started = performance.now();
      const result = await run();
      spans[index] = [started, performance.now()];
      return result;
    };
    const [confirm, ...registrations] = await Promise.all([
      timed(0, () => api.request('POST', `/email-confirmation/${first}`)),
      ...Array.from({ length: 3 }, (_, i) => timed(i + 1, () => api.request('POST', '/registration', { body: { email, password: OWNER } }))),
    ]);
    // The confirmation (span 0) was in flight while a re-registration was.
    const [cs, ce] = spans[0] ?? [0, 0];
    if (spans.slice(1).some(([s, e]) => s < ce && cs < e)) overlapped += 1;
    for (const r of registrations) assert.equal(r.status, 202);
    if (confirm?.status === 200) {
      seen.add('confirmed first');
      // The link's password is active; the re-registrations that came later changed nothing.
      assert.equal(await signInStatus(email, ATTACKER), 200);
      assert.equal(await signInStatus(email, OWNER), 401);
    } else {
      seen.add('replaced first');
      assert.ok(confirm);
      assertProblem(confirm, 404, 'invalid_token');
      // The first password never became active; the newest link activates the replacement.
      assert.equal(await signInStatus(email, ATTACKER), 401);
      assert.equal((await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`)).status, 200);
      assert.equal(await signInStatus(email, OWNER), 200);
      assert.equal(await signInStatus(email, ATTACKER), 401);
    }
  }
  t.diagnostic(`outcomes seen: ${[...seen].join(', ')}; rounds with overlapping requests: ${overlapped}`);
  assert.ok(overlapped >= 5, `only ${overlapped} of 10 rounds overlapped: no race was run`);
});

test('an unconfirmed account expires with its last link (DynamoDB Local, injected clock): gone on read, the address registers afresh', async () => {
  const deps = await memoryDeps({ AUTH_CONFIRMATION_TOKEN_TTL_SECONDS: '3600' });
  // A clock in the real future, so DynamoDB Local's own TTL deleter never races the test.
  deps.clock.ms = Date.now() + 365 * 86400_000;
  const store = new DynamoDbStore(createDocumentClient(process.env), api.tableName, deps.clock);
  // The flows queue their mail in the stack's table: the stack's outbox drain delivers it to local SES (lastLinkToken).
  const d = { ...deps, store } as unknown as typeof deps;
  const request = { ip: null, userAgent: null };
  const email = uniqueEmail('prehijack-expiry');
  await register(d, { email, password: ATTACKER }, request);
  const squatter = await store.findUserByEmail(email);
  assert.ok(squatter);
  const firstLink = await lastLinkToken(email, 'confirm-email');
  // Each re-registration moves the deadline to its own link's: 50 minutes on, it still lives.
  deps.clock.advance(3000);
  await register(d, { email, password: OWNER }, request);
  deps.clock.advance(3000);
  assert.equal((await store.findUserByEmail(email))?.id, squatter.id);
  const items = (await api.scan()).filter((item) => item.pk === `EMAIL#${email}` || (item.pk === `USER#${squatter.id}` && item.sk === 'PROFILE'));
  assert.equal(items.length, 2);
  for (const item of items) assert.equal(item.ttl, Math.floor(deps.clock.now() / 1000) - 3000 + 3600, `${item.sk} carries the last link's expiry as its TTL`);

  // Past the last link's expiry the account is as good as gone, although DynamoDB still holds it.
  deps.clock.advance(601);
  assert.equal(await store.findUserByEmail(email), undefined);
  assert.equal(await store.getUser(squatter.id), undefined);
  await assert.rejects(confirmEmail(d, await lastLinkToken(email, 'confirm-email')), (error: { code?: string }) => error.code === 'invalid_token');
  await assert.rejects(confirmEmail(d, firstLink), (error: { code?: string }) => error.code === 'invalid_token');
  // The address registers afresh over the expired claim: a new account, the owner's.
  await register(d, { email, password: OWNER }, request);
  const fresh = await store.findUserByEmail(email);
  assert.ok(fresh && fresh.id !== squatter.id);
  const confirmed = await confirmEmail(d, await lastLinkToken(email, 'confirm-email'));
  assert.equal(confirmed.id, fresh.id);
  deps.clock.advance(10 * 86400);
  assert.equal((await store.findUserByEmail(email))?.emailConfirmed, true, 'a confirmed account never expires');
});

test("past the address's mail cap a re-registration still replaces the password and kills the squatter's links; only the mail is held back", async () => {
  const deps = await memoryDeps({ AUTH_MAIL_RECIPIENT_LIMIT: '1' });
  const request = { ip: null, userAgent: null };
  const email = uniqueEmail('prehijack-capped');
  await register(deps, { email, password: ATTACKER }, request);
  const squatterLink = lastMailedToken(deps, email, 'confirm-email');
  // The cap (1) is reached: the owner's registration mails nothing, but its commit still lands.
  await register(deps, { email, password: OWNER }, request);
  assert.equal(deps.mailer.sent.filter((m) => m.to === email).length, 1, 'the capped registration mailed nothing');
  await assert.rejects(confirmEmail(deps, squatterLink), (error: { code?: string }) => error.code === 'invalid_token');
  const stored = await deps.store.findUserByEmail(email);
  assert.ok(stored && !stored.emailConfirmed);
  assert.equal(await deps.hasher.verify(stored.passwordHash ?? '', OWNER), true, "the owner's password replaced the squatter's");
});
