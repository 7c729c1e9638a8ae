/**
 * Endpoints of the services `npm test` (test/run.ts) starts. A test that needs one and runs
 * without it fails with this message instead of being skipped.
 */
export function testServices(): { dynamoDbEndpoint: string; sesUrl: string } {
  const dynamoDbEndpoint = process.env.LATCH_TEST_DYNAMODB_ENDPOINT;
  const sesUrl = process.env.LATCH_TEST_SES_URL;
  if (!dynamoDbEndpoint || !sesUrl) {
    throw new Error(
      'This test needs DynamoDB Local and local SES. Run it through `npm test` (e.g. `npm test -- test/integration`), ' +
        'which starts them, or set LATCH_TEST_DYNAMODB_ENDPOINT and LATCH_TEST_SES_URL.',
    );
  }
  return { dynamoDbEndpoint, sesUrl };
}

let counter = 0;

/** A table name no other test file uses (files run in parallel against one DynamoDB Local). */
export function uniqueTableName(prefix = 'test'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A unique address for one test, so mails in the shared SES store never mix. */
export function uniqueEmail(label = 'user'): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter}@example.com`;
}
