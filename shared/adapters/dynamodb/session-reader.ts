import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Session } from '../../domain/types.js';
import type { AuthStore } from '../../ports/store.js';
import { translateAwsError } from './errors.js';
import { strip } from './expression.js';
import { keys } from './table.js';

/**
 * The one read the authorizer makes (`shared/flows/token-check.ts`): a session item, strongly
 * consistent, exactly as `DynamoDbStore.getSession` reads it. Its own small adapter so the
 * authorizer's bundle carries neither the write plans nor the rest of the store.
 */
export class DynamoDbSessionReader implements Pick<AuthStore, 'getSession'> {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getSession(userId: string, sessionId: string): Promise<Session | undefined> {
    try {
      const item = (await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.session(userId, sessionId), ConsistentRead: true }))).Item;
      return item && (strip(item) as unknown as Session);
    } catch (error) {
      return translateAwsError(error);
    }
  }
}
