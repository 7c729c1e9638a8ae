import type { SNSEvent } from 'aws-lambda';
import { recordSesFeedback } from '../shared/flows/ses-feedback.js';
import { getSesFeedbackDeps } from '../shared/runtime/ses-feedback-deps.js';

/**
 * SES feedback: the configuration set's bounce and complaint events arrive through an SNS topic;
 * each marks its recipients as undeliverable so the mail sender stops mailing them
 * (`docs/mail.md`). A store failure throws, and Lambda's asynchronous retries deliver the
 * notification again (marking is idempotent).
 */
export async function handler(event: SNSEvent): Promise<void> {
  const deps = getSesFeedbackDeps();
  for (const record of event.Records ?? []) {
    const message = record?.Sns?.Message;
    if (typeof message === 'string') await recordSesFeedback(deps, message);
  }
}
