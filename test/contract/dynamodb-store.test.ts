import { ensureTable } from '../../infra/local/services.js';
import { DynamoDbAuditLog } from '../../shared/adapters/dynamodb/audit-log.js';
import { auditTableNameOf } from '../../shared/adapters/dynamodb/audit-table.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { testServices, uniqueTableName } from '../support/services.js';
import { attemptCountersContract } from './attempt-counters-contract.js';
import { auditLogContract } from './audit-log-contract.js';
import { passkeyStoreContract } from './passkey-store-contract.js';
import { storeContract } from './store-contract.js';

const { dynamoDbEndpoint } = testServices();
const client = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });

// A fresh table per test keeps the listing test exact.
storeContract('DynamoDB (DynamoDB Local)', async (clock) => {
  const table = uniqueTableName('contract');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbStore(client, table, clock);
});

passkeyStoreContract('DynamoDB (DynamoDB Local)', async (clock) => {
  const table = uniqueTableName('passkeys');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbStore(client, table, clock);
});

attemptCountersContract('DynamoDB (DynamoDB Local)', async () => {
  const table = uniqueTableName('counters');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbCounters(client, table);
});

auditLogContract('DynamoDB (DynamoDB Local)', async (clock) => {
  const table = uniqueTableName('audit');
  await ensureTable(dynamoDbEndpoint, table);
  return { store: new DynamoDbStore(client, table, clock), log: new DynamoDbAuditLog(client, auditTableNameOf(table), clock) };
});
