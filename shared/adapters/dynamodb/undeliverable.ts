import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { UndeliverableAddresses, UndeliverableMark } from '../../ports/undeliverable.js';
import { translateAwsError } from './errors.js';
import { keys } from './table.js';

/**
 * {@link UndeliverableAddresses} on the table: one item per address hash
 * (`UNDELIVERABLE#<hash>` / `UNDELIVERABLE`), no TTL (a hard bounce or a complaint does not heal
 * by itself; `docs/mail.md` says how to clear one). The feedback function may only put these
 * items, the mail sender only read them (IAM leading-key conditions).
 */
export class DynamoDbUndeliverable implements UndeliverableAddresses {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async markOf(addressHash: string): Promise<UndeliverableMark | undefined> {
    try {
      const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: keys.undeliverable(addressHash), ConsistentRead: true }));
      if (!Item) return undefined;
      return { reason: Item.reason as UndeliverableMark['reason'], detail: String(Item.detail ?? ''), at: String(Item.at ?? '') };
    } catch (error) {
      return translateAwsError(error);
    }
  }

  async mark(addressHash: string, mark: UndeliverableMark): Promise<'marked' | 'already'> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.undeliverable(addressHash), reason: mark.reason, detail: mark.detail, at: mark.at },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'marked';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return 'already';
      return translateAwsError(error);
    }
  }
}
