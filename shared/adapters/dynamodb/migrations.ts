import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys, tableDefinition, usersShardOf } from './table.js';

/**
 * Moves the users-index entries of a table written before the index was sharded (every user
 * under `USERS`) to their shards (`USERS#<n>`), and drops the `sessionSeq` attribute those user
 * items still carry (the sequence now lives in its own item; the old attribute is ignored on
 * read). Safe to run while the system serves: each move is one conditional update of one user
 * item (only while it is still under `USERS`), and the admin list reads the old partition beside
 * the shards until it is empty. Idempotent; returns how many users it moved. See
 * `docs/migrations.md`.
 */
export async function shardUsersIndex(client: DynamoDBDocumentClient, tableName: string): Promise<number> {
  const index = tableDefinition.usersIndex;
  let moved = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':pk': keys.legacyUsersPartition },
        ProjectionExpression: 'pk, sk, id',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const id = String(item.id);
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.user(id),
            UpdateExpression: 'SET #pk = :shard REMOVE sessionSeq',
            ConditionExpression: '#pk = :legacy',
            ExpressionAttributeNames: { '#pk': index.partitionKey },
            ExpressionAttributeValues: { ':shard': usersShardOf(id), ':legacy': keys.legacyUsersPartition },
          }),
        );
        moved += 1;
      } catch (error) {
        // Deleted or moved meanwhile: nothing left to do for it.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return moved;
}
