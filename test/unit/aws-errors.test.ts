import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateAwsError } from '../../shared/adapters/dynamodb/errors.js';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';

const vendor = (name: string, status = 400, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status }, ...extra });

test('throttling from any AWS service (SES answers "Throttling") becomes 503 service_unavailable, not a 500', () => {
  for (const name of ['Throttling', 'ThrottlingException', 'ProvisionedThroughputExceededException', 'TooManyRequestsException', 'RequestLimitExceeded']) {
    assert.throws(() => translateAwsError(vendor(name)), ServiceUnavailableError, name);
  }
});

test('5xx, time-outs and network failures become 503; other vendor errors are rethrown as they are', () => {
  assert.throws(() => translateAwsError(vendor('InternalServerError', 500)), ServiceUnavailableError);
  assert.throws(() => translateAwsError(vendor('Whatever', 503)), ServiceUnavailableError);
  assert.throws(() => translateAwsError(vendor('TimeoutError', 0, { code: 'ETIMEDOUT' })), ServiceUnavailableError);
  assert.throws(() => translateAwsError(vendor('Error', 0, { code: 'ENOTFOUND' })), ServiceUnavailableError);
  const validation = vendor('ValidationException');
  assert.throws(
    () => translateAwsError(validation),
    (error) => error === validation,
  );
});
