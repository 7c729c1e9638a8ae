import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/services.js';
import { PlannedDynamoDbStore } from './planned-store.js';
import { ALL_WRITE_PLANS } from './write-plans.js';

/**
 * The DynamoDB store with the plans of every op (`write-plans.ts`): the CLI, the tests and the
 * bench, which may commit anything. A Lambda function's composition root builds a
 * {@link PlannedDynamoDbStore} with the plans its routes use instead (issue 17, row 6).
 */
export class DynamoDbStore extends PlannedDynamoDbStore {
  constructor(client: DynamoDBDocumentClient, tableName: string, clock?: Pick<Clock, 'now'>, auditTableName?: string) {
    super(client, tableName, clock, auditTableName, ALL_WRITE_PLANS);
  }
}
