import { ServiceUnavailableError } from '../domain/errors.js';
import type { Metrics } from '../ports/metrics.js';
import { type OutboxMail, recipientOf } from '../ports/store.js';
import type { UndeliverableAddresses } from '../ports/undeliverable.js';
import type { Deps } from './deps.js';
import { deliverOutboxMail, type MailDelivery } from './send-mail.js';
import { undeliverableHashOf } from './ses-feedback.js';

/**
 * What the mail sender uses: no signing keys, no hasher, no config. `templates`: the built-in
 * templates (with `LATCH_MAIL_TEMPLATES`) it renders queued mail with; `undeliverable`: the
 * marks of the SES feedback function (without it every address is mailed); `metrics`:
 * `MailsSent` and `MailsSuppressed`.
 */
export type MailSenderDeps = Pick<Deps, 'store'> &
  MailDelivery & {
    undeliverable?: UndeliverableAddresses | undefined;
    metrics?: Metrics | undefined;
  };

/** What became of one outbox mail: `suppressed` when SES reported its address undeliverable (`docs/mail.md`). */
export type OutboxResult = 'sent' | 'dropped' | 'suppressed';

/**
 * Delivers one outbox mail (the stream-triggered mail sender; the local runner's poller and the
 * tests' drain call it the same way), then deletes its outbox item, which holds a link secret.
 *
 * - Throttling, an outage or a failing `sendMail` hook: throws `ServiceUnavailableError`, and the
 *   caller retries (the stream redelivers the record; the item waits, up to its TTL).
 * - A permanent refusal (SES rejects the message or the address): logged without address or
 *   secret, and dropped: retrying would only be refused again.
 *
 * Delivery is at least once: a sender that dies between sending and the stream checkpoint may
 * send a mail twice; a mail is never lost to a retryable failure.
 */
export async function sendOutboxMail(deps: MailSenderDeps, mail: OutboxMail): Promise<OutboxResult> {
  let result: OutboxResult = 'sent';
  try {
    // An address SES reported as bouncing for good, or whose owner complained, gets nothing more
    // (a read failure throws ServiceUnavailableError below, and the mail is retried).
    const mark = await deps.undeliverable?.markOf(undeliverableHashOf(recipientOf(mail)));
    if (mark) {
      deps.log.warn('mail not sent: address undeliverable', {
        flow: 'mail',
        template: mail.template,
        userId: mail.userId,
        reason: mark.reason,
        detail: mark.detail,
      });
      deps.metrics?.count('MailsSuppressed');
      result = 'suppressed';
    } else {
      await deliverOutboxMail(deps, mail);
    }
  } catch (error) {
    if (error instanceof ServiceUnavailableError) {
      deps.log.warn('mail not delivered, will retry', { flow: 'mail', template: mail.template, userId: mail.userId, code: 'service_unavailable' });
      throw error;
    }
    deps.log.error('mail refused, dropped', { flow: 'mail', template: mail.template, userId: mail.userId, errorName: errorName(error) });
    result = 'dropped';
  }
  // Sent or dropped, the secret in the item has no use left. If this delete fails the mail is
  // out all the same (no retry, which would send it twice); the item's short TTL removes it.
  await deps.store.commit([{ type: 'deleteMail', id: mail.id }]).catch((error: unknown) => {
    deps.log.warn('outbox item not deleted', { flow: 'mail', template: mail.template, errorName: errorName(error) });
  });
  if (result === 'sent') {
    deps.log.info('mail sent', { flow: 'mail', template: mail.template, userId: mail.userId });
    deps.metrics?.count('MailsSent');
  }
  return result;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
