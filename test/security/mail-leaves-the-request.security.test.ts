/**
 * Property: mail leaves the request. A request writes its mail as an outbox item in the same
 * commit as the change that causes it (so a failing commit leaves no mail, and a committed change
 * always has its mail); the stream-triggered mail sender delivers it and deletes the item. An SES
 * outage hits the sender, never the answer: throttles and outages are retried, permanent
 * refusals are logged (without address or secret) and dropped. On DynamoDB Local.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';
import { requestPasswordReset } from '../../shared/flows/password-reset.js';
import type { MailMessage } from '../../shared/ports/services.js';
import type { AuthStore, OutboxMail } from '../../shared/ports/store.js';
import { buildMailSenderDeps, useMailSenderDeps } from '../../shared/runtime/mail-sender-deps.js';
import { signedInUser } from '../support/accounts.js';
import { aUser } from '../support/fixtures.js';
import { mailsTo } from '../support/mail.js';
import { CapturingLog, memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
afterEach(() => useMailSenderDeps(undefined));
after(async () => {
  await api.close();
});

const outboxItems = async () => (await api.scan()).filter((item) => String(item.pk).startsWith('OUTBOX#'));
const resetMails = async (address: string) => (await mailsTo(address)).filter((m) => m.subject === 'Reset your password').length;

/** Points the (in-process) mail sender at a mailer that fails as told. */
function senderWith(send: (message: MailMessage) => Promise<void>): CapturingLog {
  const log = new CapturingLog();
  useMailSenderDeps({ ...buildMailSenderDeps(process.env), mailer: { send }, log });
  return log;
}

test('the outbox mail is committed with its change: both are in the table before the sender runs, and the sender deletes the item once sent', async () => {
  const deps = { ...(await memoryDeps()), store: api.store };
  const user = aUser();
  await api.store.commit([{ type: 'createUser', user }]);
  await requestPasswordReset(deps, { email: user.email });
  const mails = (await outboxItems()).filter((item) => item.to === user.email);
  assert.equal(mails.length, 1);
  // Queued as data (template, context, language): the mail sender renders it.
  assert.equal(mails[0]?.message, undefined);
  assert.equal(mails[0]?.template, 'resetPassword');
  assert.equal((mails[0]?.data as Record<string, unknown> | undefined)?.locale, 'en');
  assert.ok(await api.store.getToken(user.id, 'reset'), 'the token was committed with its mail');
  assert.ok(Number(mails[0]?.ttl) > 0, 'the outbox item has a TTL');
  assert.equal(await api.drainOutbox(), 1);
  assert.equal(await resetMails(user.email), 1);
  assert.equal((await outboxItems()).length, 0, 'the item (it holds the link) is deleted once sent');
});

test('the sender still delivers an outbox item queued already rendered (by a version before mail-as-data, during an update)', async () => {
  const user = aUser();
  const rendered: OutboxMail = {
    id: `legacy-${user.id}`,
    template: 'resetPassword',
    userId: user.id,
    message: { to: user.email, subject: 'Reset your password', text: 'queued rendered', html: '<p>queued rendered</p>' },
    createdAt: new Date().toISOString(),
    expiresAt: Math.floor(Date.now() / 1000) + 900,
  };
  await api.store.commit([{ type: 'enqueueMail', mail: rendered }]);
  assert.equal(await api.drainOutbox(), 1);
  const [mail] = (await mailsTo(user.email)).filter((m) => m.subject === 'Reset your password');
  assert.match(mail?.text ?? '', /queued rendered/);
  assert.equal((await outboxItems()).length, 0);
});

test('a failing commit leaves no mail: a lock that lands between the read and the write leaves neither a token nor an outbox item', async () => {
  const user = aUser();
  await api.store.commit([{ type: 'createUser', user }]);
  const store: AuthStore = Object.assign(Object.create(api.store), {
    async findUserByEmail(email: string) {
      const found = await api.store.findUserByEmail(email);
      // The race, made deterministic: an admin locks the user right after the flow read it.
      await api.store.commit([{ type: 'updateUser', id: user.id, set: { locked: true } }]);
      return found;
    },
  });
  const deps = { ...(await memoryDeps()), store };
  await requestPasswordReset(deps, { email: user.email });
  assert.ok(
    deps.log.lines.some((l) => l.message === 'password reset requested' && l.fields.code === 'user_changed'),
    'the commit failed',
  );
  assert.equal(await api.store.getToken(user.id, 'reset'), undefined);
  assert.equal((await outboxItems()).length, 0);
  assert.equal(await resetMails(user.email), 0);
});

test('an SES outage does not change any answer: reset, resend and invitations answer as usual, and the mail goes out when SES is back', async () => {
  const known = await signedInUser(api);
  const unknown = uniqueEmail('unknown');
  const invitee = uniqueEmail('invited-in-outage');
  let down = true;
  const sent: string[] = [];
  const log = senderWith(async (message) => {
    if (down) throw new ServiceUnavailableError();
    sent.push(message.to);
  });
  const answers = [];
  for (const email of [known.email, unknown]) {
    const response = await api.request('POST', '/password-reset', { body: { email } });
    answers.push({ status: response.status, body: response.text });
  }
  assert.deepEqual(answers[0], answers[1]);
  assert.equal(answers[0]?.status, 202);
  // The invitation-during-outage inconsistency (503 after the invitee was created) is gone.
  const invited = await api.request('POST', '/invitations', { token: known.accessToken, body: { email: invitee } });
  assert.equal(invited.status, 201, invited.text);
  assert.ok(log.lines.some((l) => l.message === 'mail not delivered, will retry'));
  assert.equal((await outboxItems()).length, 2, 'the mails wait for a retry');

  down = false;
  await api.drainOutbox();
  assert.deepEqual(sent.sort(), [known.email, invitee].sort());
  assert.equal((await outboxItems()).length, 0);
});

test('a mail SES refuses for good is logged without address or secret and dropped, not retried', async () => {
  const user = aUser();
  await api.store.commit([{ type: 'createUser', user }]);
  let attempts = 0;
  const log = senderWith(async () => {
    attempts += 1;
    throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
  });
  assert.equal((await api.request('POST', '/password-reset', { body: { email: user.email } })).status, 202);
  await api.drainOutbox();
  assert.equal(attempts, 1);
  assert.equal((await outboxItems()).length, 0, 'dropped: nothing left to retry');
  const line = log.lines.find((l) => l.message === 'mail refused, dropped');
  assert.equal(line?.fields.errorName, 'MessageRejected');
  const logged = JSON.stringify(log.lines);
  assert.ok(!logged.includes(user.email) && !logged.includes('/reset-password/'), 'no address or link in the log');
});
