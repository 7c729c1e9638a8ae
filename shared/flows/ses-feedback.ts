import { canonicalizeEmail } from '../domain/email.js';
import { hashSecret } from '../domain/secrets.js';
import type { Metrics } from '../ports/metrics.js';
import type { Log } from '../ports/services.js';
import type { UndeliverableAddresses, UndeliverableMark } from '../ports/undeliverable.js';

/** What the SES feedback function uses: the marks, a log and the metrics. */
export interface SesFeedbackDeps {
  undeliverable: UndeliverableAddresses;
  log: Log;
  metrics?: Metrics | undefined;
}

/** The key of an address's mark: a hash of its canonical form (the address itself is stored nowhere new). */
export function undeliverableHashOf(address: string): string {
  return hashSecret(`undeliverable:${canonicalizeEmail(address)}`);
}

/** The part of an SES notification (SNS notification or configuration-set event) that Latch reads. */
interface SesNotification {
  notificationType?: string;
  eventType?: string;
  bounce?: { bounceType?: string; bounceSubType?: string; timestamp?: string; bouncedRecipients?: Array<{ emailAddress?: string }> };
  complaint?: { complaintFeedbackType?: string; complaintSubType?: string | null; timestamp?: string; complainedRecipients?: Array<{ emailAddress?: string }> };
}

/** One notification, read: the addresses to mark and why, or why nothing is marked. */
export type SesFeedback = { action: 'mark'; mark: UndeliverableMark; recipients: string[] } | { action: 'ignore'; why: string };

const safeText = (value: unknown, fallback: string) => (typeof value === 'string' && /^[A-Za-z0-9 ._:-]{1,64}$/.test(value) ? value : fallback);

/**
 * Reads an SES notification (the `Message` of its SNS record): a permanent bounce or a complaint
 * marks its recipients; transient and undetermined bounces (a full mailbox, a greylist) and every
 * other type (deliveries, sends) mark nothing. Both shapes SES publishes are read: identity
 * notifications (`notificationType`) and configuration-set events (`eventType`).
 */
export function readSesNotification(message: string): SesFeedback {
  let parsed: SesNotification;
  try {
    parsed = JSON.parse(message) as SesNotification;
  } catch {
    return { action: 'ignore', why: 'not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { action: 'ignore', why: 'not an object' };
  const type = parsed.eventType ?? parsed.notificationType;
  const addresses = (list: Array<{ emailAddress?: string }> | undefined) =>
    (Array.isArray(list) ? list : []).map((r) => r?.emailAddress).filter((a): a is string => typeof a === 'string' && a.includes('@'));
  if (type === 'Bounce' && parsed.bounce) {
    const bounceType = safeText(parsed.bounce.bounceType, 'Undetermined');
    if (bounceType !== 'Permanent') return { action: 'ignore', why: `${bounceType} bounce` };
    const detail = `${bounceType}/${safeText(parsed.bounce.bounceSubType, 'General')}`;
    return {
      action: 'mark',
      mark: { reason: 'bounce', detail, at: safeText(parsed.bounce.timestamp, new Date().toISOString()) },
      recipients: addresses(parsed.bounce.bouncedRecipients),
    };
  }
  if (type === 'Complaint' && parsed.complaint) {
    const detail = safeText(parsed.complaint.complaintFeedbackType, 'unspecified');
    return {
      action: 'mark',
      mark: { reason: 'complaint', detail, at: safeText(parsed.complaint.timestamp, new Date().toISOString()) },
      recipients: addresses(parsed.complaint.complainedRecipients),
    };
  }
  return { action: 'ignore', why: `${safeText(type, 'unknown')} notification` };
}

/**
 * Handles one SES notification: marks each recipient of a permanent bounce or complaint as
 * undeliverable (one conditional write each; a duplicate notification changes nothing), so the
 * mail sender stops mailing it. Logs counts and reasons, never an address. A store failure
 * throws (`ServiceUnavailableError`): SNS and Lambda retry the notification.
 */
export async function recordSesFeedback(deps: SesFeedbackDeps, message: string): Promise<{ marked: number; already: number; ignored: boolean }> {
  const feedback = readSesNotification(message);
  if (feedback.action === 'ignore') {
    deps.log.info('ses feedback ignored', { flow: 'ses-feedback', why: feedback.why });
    return { marked: 0, already: 0, ignored: true };
  }
  let marked = 0;
  let already = 0;
  for (const recipient of new Set(feedback.recipients.map(canonicalizeEmail))) {
    if ((await deps.undeliverable.mark(undeliverableHashOf(recipient), feedback.mark)) === 'marked') marked += 1;
    else already += 1;
  }
  deps.log.info('address marked undeliverable', { flow: 'ses-feedback', reason: feedback.mark.reason, detail: feedback.mark.detail, marked, already });
  if (marked > 0) deps.metrics?.count(feedback.mark.reason === 'bounce' ? 'UndeliverableBounces' : 'UndeliverableComplaints', marked);
  return { marked, already, ignored: false };
}
