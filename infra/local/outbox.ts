import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { keys } from '../../shared/adapters/dynamodb/table.js';

type SenderHandler = (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

/**
 * The local stand-in for the table's stream and its event source mapping: finds the outbox items
 * (a consistent Scan filtered on the key prefix; DynamoDB Local has no stream trigger) and hands
 * them, as `INSERT` records in their commit order, to the same `functions/mail-sender.ts` handler
 * the stream invokes on AWS. Drains run one at a time, so no mail is sent twice; a mail the
 * sender reports as failed stays in the table for the next drain, as a stream retry would.
 */
export class LocalOutbox {
  private readonly client: DynamoDBClient;
  private running: Promise<number> = Promise.resolve(0);
  private handler: Promise<SenderHandler> | undefined;

  constructor(
    dynamoDbEndpoint: string,
    private readonly tableName: string,
  ) {
    this.client = new DynamoDBClient({ endpoint: dynamoDbEndpoint });
  }

  /** Sends every waiting mail; resolves with the number of mails handed to the sender. Never rejects. */
  drain(): Promise<number> {
    this.running = this.running.then(
      () => this.drainOnce().catch(() => 0),
      () => 0,
    );
    return this.running;
  }

  /** Drains every `intervalMs` until the returned function is called (the local runner's poller). */
  poll(intervalMs: number): () => void {
    const timer = setInterval(() => void this.drain(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  close(): void {
    this.client.destroy();
  }

  private async drainOnce(): Promise<number> {
    const items: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          FilterExpression: 'begins_with(pk, :prefix)',
          ExpressionAttributeValues: { ':prefix': { S: keys.outboxPrefix } },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    if (items.length === 0) return 0;
    items.sort((a, b) => (a.createdAt?.S ?? '').localeCompare(b.createdAt?.S ?? ''));
    this.handler ??= import('../../functions/mail-sender.js').then((m) => m.handler as SenderHandler);
    const handler = await this.handler;
    const event = {
      Records: items.map((item, i) => ({ eventName: 'INSERT', eventSource: 'aws:dynamodb', dynamodb: { NewImage: item, SequenceNumber: String(i + 1) } })),
    } as unknown as DynamoDBStreamEvent;
    await handler(event);
    return items.length;
  }
}
