/**
 * The local runner for the load test, in a process of its own (started by load.test.ts): the
 * same route table and handlers as `npm start`, on DynamoDB Local and local SES, on a table the
 * parent names. Prints `{"url": …}` on its first line, stops on SIGTERM.
 */
import { startLocalStack } from '../../infra/local/stack.js';

const dynamoDbEndpoint = process.env.LATCH_TEST_DYNAMODB_ENDPOINT;
const sesEndpoint = process.env.LATCH_TEST_SES_URL;
const tableName = process.env.LATCH_LOAD_TABLE;
if (!dynamoDbEndpoint || !sesEndpoint || !tableName) throw new Error('LATCH_TEST_DYNAMODB_ENDPOINT, LATCH_TEST_SES_URL and LATCH_LOAD_TABLE must be set');

const api = await startLocalStack({ pollOutboxMs: 200, port: 0, dynamoDbEndpoint, sesEndpoint, tableName });
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
process.on('SIGTERM', () => {
  void api.close().then(() => process.exit(0));
});
