import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Env = Record<string, string | undefined>;

/**
 * A DocumentClient for the table, pointed at DynamoDB Local when `LATCH_DYNAMODB_ENDPOINT` is set.
 * In a module of its own so that the small composition roots (authorizer, mail sender, SES
 * feedback) take the client without the full root's imports (`lambda-deps.ts`).
 */
export function createDocumentClient(env: Env = process.env): DynamoDBDocumentClient {
  const endpoint = env.LATCH_DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
