import { ensureTable } from '../../infra/local/services.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { testServices, uniqueTableName } from '../support/services.js';
import { storeContract } from './store-contract.js';

const { dynamoDbEndpoint } = testServices();
const client = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint });

// A fresh table per test keeps the listing test exact.
storeContract('DynamoDB (DynamoDB Local)', async (clock) => {
  const table = uniqueTableName('contract');
  await ensureTable(dynamoDbEndpoint, table);
  return new DynamoDbStore(client, table, clock);
});
