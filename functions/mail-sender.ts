import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { type OutboxStreamRecord, outboxMailOf } from '../shared/adapters/dynamodb/outbox-stream.js';
import { sendOutboxMail } from '../shared/flows/mail-sender.js';
import { getMailSenderDeps } from '../shared/runtime/mail-sender-deps.js';

/**
 * The mail sender: triggered by the table's stream (filtered to new outbox items), it delivers
 * each mail in order. At the first mail worth a retry it stops and reports that record as the
 * batch's failure, so Lambda retries from there (records after it were not sent yet); a mail
 * refused for good is logged and dropped by `sendOutboxMail`.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const deps = getMailSenderDeps();
  for (const record of event.Records) {
    const mail = outboxMailOf(record as OutboxStreamRecord);
    if (!mail) continue;
    try {
      await sendOutboxMail(deps, mail);
    } catch {
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
    }
  }
  return { batchItemFailures: [] };
}
