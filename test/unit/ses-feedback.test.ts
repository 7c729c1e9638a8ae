/**
 * SES feedback (`docs/mail.md`): real SES notification shapes mark permanent bounces and
 * complaints (by address hash, idempotently) and nothing else; the mail sender then skips the
 * address with a log line and a metric, and deletes the outbox item.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryMetrics } from '../../shared/adapters/memory/metrics.js';
import { MemoryUndeliverable } from '../../shared/adapters/memory/undeliverable.js';
import { sendOutboxMail } from '../../shared/flows/mail-sender.js';
import { readSesNotification, recordSesFeedback, undeliverableHashOf } from '../../shared/flows/ses-feedback.js';
import { defaultTemplates } from '../../shared/mail/templates.js';
import type { OutboxMail } from '../../shared/ports/store.js';
import { CapturingLog, memoryDeps } from '../support/memory.js';
import { bounceEvent, complaintNotification, deliveryEvent } from '../support/ses-notifications.js';

const text = (value: unknown) => JSON.stringify(value);

test('SES feedback: permanent bounces and complaints mark; transient bounces, deliveries and garbage do not', () => {
  assert.deepEqual(readSesNotification(text(bounceEvent(['a@x.test']))), {
    action: 'mark',
    mark: { reason: 'bounce', detail: 'Permanent/General', at: '2026-12-03T10:20:30.000Z' },
    recipients: ['a@x.test'],
  });
  assert.deepEqual(readSesNotification(text(complaintNotification(['b@x.test']))), {
    action: 'mark',
    mark: { reason: 'complaint', detail: 'abuse', at: '2026-12-03T10:21:01.000Z' },
    recipients: ['b@x.test'],
  });
  assert.equal(readSesNotification(text(bounceEvent(['a@x.test'], 'Transient', 'MailboxFull'))).action, 'ignore');
  assert.equal(readSesNotification(text(bounceEvent(['a@x.test'], 'Undetermined'))).action, 'ignore');
  assert.equal(readSesNotification(text(deliveryEvent(['a@x.test']))).action, 'ignore');
  for (const garbage of [
    '',
    'null',
    '[]',
    '{"eventType":"Bounce"}',
    '{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":"x"}}',
  ]) {
    const read = readSesNotification(garbage);
    assert.ok(read.action === 'ignore' || read.recipients.length === 0, garbage);
  }
  // Whatever SES puts in its fields, nothing but short plain tokens reaches a log line or the mark.
  const odd = bounceEvent(['a@x.test']);
  odd.bounce.bounceSubType = 'a@x.test\n{"injected":1}';
  const read = readSesNotification(text(odd));
  assert.equal(read.action === 'mark' && read.mark.detail, 'Permanent/General');
});

test('SES feedback: each recipient is marked once by its canonical address hash; the log names no address', async () => {
  const undeliverable = new MemoryUndeliverable();
  const log = new CapturingLog();
  const metrics = new MemoryMetrics();
  const deps = { undeliverable, log, metrics };
  const first = await recordSesFeedback(deps, text(bounceEvent(['Bounced@X.test', 'bounced@x.test', 'other@x.test'])));
  assert.deepEqual(first, { marked: 2, already: 0, ignored: false });
  // SNS delivers at least once: the same notification again changes nothing.
  assert.deepEqual(await recordSesFeedback(deps, text(bounceEvent(['bounced@x.test']))), { marked: 0, already: 1, ignored: false });
  // A later complaint keeps the first mark.
  await recordSesFeedback(deps, text(complaintNotification(['bounced@x.test'])));
  assert.equal((await undeliverable.markOf(undeliverableHashOf('BOUNCED@x.test')))?.reason, 'bounce');
  assert.equal([...undeliverable.marks.keys()].length, 2);
  for (const key of undeliverable.marks.keys()) assert.ok(!key.includes('@'));
  assert.equal(metrics.get('UndeliverableBounces'), 2);
  assert.equal(metrics.get('UndeliverableComplaints'), 0);
  assert.ok(!JSON.stringify(log.lines).includes('x.test'), 'no address in a log line');
  assert.deepEqual(await recordSesFeedback(deps, text(deliveryEvent(['new@x.test']))), { marked: 0, already: 0, ignored: true });
});

test('SES feedback: the mail sender sends nothing to a marked address, logs why (no address), counts it and deletes the item', async () => {
  const deps = await memoryDeps();
  const undeliverable = new MemoryUndeliverable();
  const metrics = new MemoryMetrics();
  const sender = { store: deps.store, mailer: deps.mailer, log: deps.log, templates: defaultTemplates, undeliverable, metrics };
  const mail = (to: string, id: string): OutboxMail => ({
    id,
    template: 'passwordReset',
    userId: 'u1',
    message: { to, subject: 's', text: 't', html: 'h' },
    createdAt: '2026-12-03T10:00:00.000Z',
    expiresAt: 2_000_000_000,
  });
  await undeliverable.mark(undeliverableHashOf('gone@x.test'), { reason: 'complaint', detail: 'abuse', at: '2026-12-03T10:21:01.000Z' });
  // Put in the outbox directly (a commit here would deliver at once, without the marks).
  for (const m of [mail('Gone@X.test', 'm1'), mail('fine@x.test', 'm2')]) deps.store.outbox.set(m.id, m);
  const before = deps.mailer.sent.length;
  assert.equal(await sendOutboxMail(sender, mail('Gone@X.test', 'm1')), 'suppressed');
  assert.equal(await sendOutboxMail(sender, mail('fine@x.test', 'm2')), 'sent');
  assert.deepEqual(
    deps.mailer.sent.slice(before).map((m) => m.to),
    ['fine@x.test'],
  );
  assert.equal(metrics.get('MailsSuppressed'), 1);
  assert.equal(metrics.get('MailsSent'), 1);
  const line = deps.log.lines.find((l) => l.message === 'mail not sent: address undeliverable');
  assert.deepEqual(line?.fields, { flow: 'mail', template: 'passwordReset', userId: 'u1', reason: 'complaint', detail: 'abuse' });
  assert.ok(!JSON.stringify(deps.log.lines).includes('gone@'), 'no address in a log line');
  assert.equal(deps.store.outbox.size, 0, 'both outbox items deleted');
});
