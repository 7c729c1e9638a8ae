/**
 * SES feedback end to end on the local stack: the real `functions/ses-feedback.ts` handler gets
 * an SNS event carrying an SES bounce (as the configuration set publishes it), marks the address
 * in DynamoDB Local, and from then on the mail sender (the local runner's, through the outbox)
 * sends that address nothing, while other addresses still get their mail through local SES with
 * the configuration set named on every send.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { handler } from '../../functions/ses-feedback.js';
import { mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { bounceEvent, complaintNotification, snsEventOf } from '../support/ses-notifications.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack({ LATCH_SES_CONFIGURATION_SET: 'latch-feedback' });
});
after(async () => {
  await api.close();
});

test('SES feedback: a bounced address gets no more mail; a complaint stops mail too; other addresses are mailed', async () => {
  const bounced = uniqueEmail('bounced');
  const complained = uniqueEmail('complained');
  const fine = uniqueEmail('fine');
  for (const email of [bounced, complained, fine]) {
    assert.equal((await api.request('POST', '/registration', { body: { email, password: 'correct horse battery staple' } })).status, 202);
    assert.equal((await mailsTo(email)).length, 1, 'the confirmation mail went out');
  }
  await handler(snsEventOf(bounceEvent([bounced.toUpperCase()]), complaintNotification([complained])) as never);
  // Marked by hash: the table holds no new copy of the address.
  const marks = (await api.scan()).filter((item) => String(item.pk).startsWith('UNDELIVERABLE#'));
  assert.equal(marks.length, 2);
  assert.ok(!JSON.stringify(marks).includes('@'));
  // SNS delivers at least once: the same event again is harmless.
  await handler(snsEventOf(bounceEvent([bounced])) as never);

  for (const email of [bounced, complained, fine]) {
    assert.equal((await api.request('POST', '/password-reset', { body: { email } })).status, 202);
  }
  assert.equal((await mailsTo(bounced)).length, 1, 'no reset mail to the bounced address');
  assert.equal((await mailsTo(complained)).length, 1, 'no reset mail to the complaining address');
  assert.equal((await mailsTo(fine)).length, 2, 'the others are mailed');
  // The outbox is empty: suppressed mails are deleted like sent ones (they hold a link secret).
  assert.equal((await api.scan()).filter((item) => String(item.pk).startsWith('OUTBOX#')).length, 0);
});
