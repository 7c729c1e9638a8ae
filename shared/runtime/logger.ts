import { Logger } from '@aws-lambda-powertools/logger';
import type { Log } from '../ports/services.js';

/**
 * The structured JSON logger (Powertools for AWS Lambda). Flows log a user id, the flow, an
 * outcome code and the request id; never a password, token, hash or full email address.
 */
export function createLog(serviceName = 'latch'): Log & { logger: Logger } {
  const logger = new Logger({ serviceName });
  return {
    logger,
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
  };
}
