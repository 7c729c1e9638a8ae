import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { OutboxMail } from '../../ports/store.js';
import { strip } from './expression.js';
import { keys } from './table.js';

/** The part of a DynamoDB stream record the mail sender reads (the Lambda event's shape). */
export interface OutboxStreamRecord {
  eventName?: string;
  dynamodb?: { NewImage?: Record<string, unknown>; SequenceNumber?: string };
}

/**
 * The outbox mail a stream record carries: an `INSERT` of an `OUTBOX#` item, else undefined
 * (the event source mapping's filter lets only those through; this checks again). The record's
 * new image carries the whole mail, so a retry works even after the item is gone.
 */
export function outboxMailOf(record: OutboxStreamRecord): OutboxMail | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || !image) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (typeof item.pk !== 'string' || !item.pk.startsWith(keys.outboxPrefix)) return undefined;
  return strip(item) as unknown as OutboxMail;
}

/** The event source mapping's filter: only new outbox items reach the mail sender. */
export const outboxStreamFilter = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { pk: { S: [{ prefix: keys.outboxPrefix }] } } },
} as const;
