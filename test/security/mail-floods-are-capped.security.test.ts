/**
 * Property: mail floods are capped. At most `AUTH_MAIL_RECIPIENT_LIMIT` (5) mails of one kind
 * (confirmation, reset, registration notice, invitation) go to one address per
 * `AUTH_MAIL_RECIPIENT_WINDOW_SECONDS`, counted with an atomic conditional ADD in the same
 * transaction as the outbox mail; past the cap the answer is the same. Security notices are not
 * capped. On DynamoDB Local, through the real HTTP routes.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { requestPasswordReset } from '../../shared/flows/password-reset.js';
import { mailCapScope } from '../../shared/flows/send-mail.js';
import { PASSWORD, signedInUser } from '../support/accounts.js';
import { aUser } from '../support/fixtures.js';
import { mailsTo } from '../support/mail.js';
import { memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const LIMIT = 5;
let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

const subjects = async (address: string, subject: string) => (await mailsTo(address)).filter((m) => m.subject === subject).length;

test('30 concurrent reset requests for one address send at most AUTH_MAIL_RECIPIENT_LIMIT mails, and all 30 answers are identical', async () => {
  const user = await signedInUser(api);
  let inFlight = 0;
  let overlap = 0;
  const answers = await Promise.all(
    Array.from({ length: 30 }, async () => {
      inFlight += 1;
      overlap = Math.max(overlap, inFlight);
      try {
        const response = await api.request('POST', '/password-reset', { body: { email: user.email } });
        return { status: response.status, body: response.text, type: response.headers.get('content-type') };
      } finally {
        inFlight -= 1;
      }
    }),
  );
  assert.ok(overlap > 1, 'the requests overlapped');
  for (const answer of answers) assert.deepEqual(answer, answers[0]);
  assert.equal(answers[0]?.status, 202);
  // Both outcomes happened: some requests were counted and sent a mail, the rest were capped.
  assert.equal(await subjects(user.email, 'Reset your password'), LIMIT);
  const caps = (await api.scan()).filter((item) => String(item.pk).startsWith('MAILCAP#'));
  const resetCap = caps.find((item) => item.pk === `MAILCAP#${mailCapScope('reset', user.email.toLowerCase())}`);
  assert.equal(resetCap?.count, LIMIT);
  // Hashed in the key: no counter names the address.
  for (const item of caps) assert.ok(!JSON.stringify(item).includes(user.email.toLowerCase()));
});

test('re-inviting one address over and over sends at most AUTH_MAIL_RECIPIENT_LIMIT invitations, with the same answer each time', async () => {
  const inviter = await signedInUser(api);
  const invitee = uniqueEmail('reinvited');
  const answers = [];
  for (let i = 0; i < LIMIT + 3; i++) {
    const response = await api.request('POST', '/invitations', { token: inviter.accessToken, body: { email: invitee } });
    answers.push({ status: response.status, email: response.body?.invitation?.email, keys: Object.keys(response.body ?? {}).sort() });
  }
  for (const answer of answers) assert.deepEqual(answer, answers[0]);
  assert.equal(answers[0]?.status, 201);
  assert.equal(await subjects(invitee, "You've been invited"), LIMIT);
});

test('registering a taken address over and over sends at most AUTH_MAIL_RECIPIENT_LIMIT notices; resend is capped the same way', async () => {
  const owner = await signedInUser(api);
  for (let i = 0; i < LIMIT + 2; i++) {
    assert.equal((await api.request('POST', '/registration', { body: { email: owner.email, password: PASSWORD } })).status, 202);
  }
  assert.equal(await subjects(owner.email, 'You already have an account'), LIMIT);

  const unconfirmed = uniqueEmail('resend');
  await api.request('POST', '/registration', { body: { email: unconfirmed, password: PASSWORD } }); // mail 1
  for (let i = 0; i < LIMIT + 2; i++) assert.equal((await api.request('POST', '/email-confirmation/resend', { body: { email: unconfirmed } })).status, 202);
  assert.equal(await subjects(unconfirmed, 'Confirm your e-mail address'), LIMIT);
});

test('security notices are not capped: every email change request notifies the current address', async () => {
  const user = await signedInUser(api);
  const changes = LIMIT + 2;
  for (let i = 0; i < changes; i++) {
    const response = await api.request('PATCH', '/me', { token: user.accessToken, body: { email: uniqueEmail('moving'), currentPassword: PASSWORD } });
    assert.equal(response.status, 200, response.text);
  }
  assert.equal(await subjects(user.email, 'Your e-mail address is about to change'), changes);
});

test('changing the email to one address over and over sends it at most AUTH_MAIL_RECIPIENT_LIMIT confirmation links; every change still answers 200', async () => {
  const user = await signedInUser(api);
  const victim = uniqueEmail('victim');
  for (let i = 0; i < LIMIT + 2; i++) {
    const response = await api.request('PATCH', '/me', { token: user.accessToken, body: { email: victim, currentPassword: PASSWORD } });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.user.unconfirmedEmail, victim);
  }
  assert.equal(await subjects(victim, 'Confirm your e-mail address'), LIMIT);
});

test('the cap window expires, checked on read: with an injected clock, a stale counter still in the table counts from one again', async () => {
  const deps = { ...(await memoryDeps()), store: api.store };
  const user = aUser();
  await api.store.commit([{ type: 'createUser', user }]);
  const capped = () => deps.log.lines.filter((l) => l.message === 'mail capped').length;
  for (let i = 0; i < LIMIT; i++) await requestPasswordReset(deps, { email: user.email });
  assert.equal(capped(), 0);
  await requestPasswordReset(deps, { email: user.email });
  assert.equal(capped(), 1, 'the sixth request in the window is capped');

  deps.clock.advance(deps.config.mailRecipientWindowSeconds);
  const key = `MAILCAP#${mailCapScope('reset', user.emailCanonical)}`;
  const stale = (await api.scan()).find((item) => item.pk === key);
  assert.ok(stale && Number(stale.windowEnds) <= Math.floor(deps.clock.now() / 1000), 'the expired counter is still stored (TTL deletes late)');
  await requestPasswordReset(deps, { email: user.email });
  assert.equal(capped(), 1, 'a new window began');
  const fresh = (await api.scan()).find((item) => item.pk === key);
  assert.equal(fresh?.count, 1);
  assert.equal(await api.drainOutbox(), LIMIT + 1, 'five mails in the first window, one in the second');
  assert.equal(await subjects(user.email, 'Reset your password'), LIMIT + 1);
});
