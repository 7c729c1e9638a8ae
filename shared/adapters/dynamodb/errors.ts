import { ServiceUnavailableError } from '../../domain/errors.js';

// The throttling codes the SDK's retry strategy knows (SES answers `Throttling` when the sending
// rate is exceeded), plus the 5xx and time-out names below.
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/**
 * Translates a vendor error that means "try again later" (throttling, 5xx, time-outs, network
 * failures) into the domain's `ServiceUnavailableError`; anything else is rethrown as is (a bug
 * or a misconfiguration, answered as a generic 500 and logged).
 */
export function translateAwsError(error: unknown): never {
  if (error instanceof Error) {
    const meta = (error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown }).$metadata;
    const status = meta?.httpStatusCode ?? 0;
    const code = (error as { code?: string }).code;
    if (
      RETRYABLE.has(error.name) ||
      status >= 500 ||
      (error as { $retryable?: unknown }).$retryable !== undefined ||
      code === 'ECONNREFUSED' ||
      code === 'ECONNRESET' ||
      code === 'ETIMEDOUT' ||
      code === 'EPIPE' ||
      code === 'EHOSTUNREACH' ||
      code === 'ENETUNREACH' ||
      code === 'ENOTFOUND' ||
      code === 'EAI_AGAIN' ||
      error.name === 'AbortError'
    ) {
      throw new ServiceUnavailableError(undefined, { cause: error });
    }
  }
  throw error;
}
