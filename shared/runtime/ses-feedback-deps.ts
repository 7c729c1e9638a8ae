import { DynamoDbUndeliverable } from '../adapters/dynamodb/undeliverable.js';
import { metricsOf } from '../adapters/metrics/emf.js';
import type { SesFeedbackDeps } from '../flows/ses-feedback.js';
import { createDocumentClient } from './documents.js';
import { createLog } from './logger.js';

type Env = Record<string, string | undefined>;

/** The SES feedback function's composition root: the table (its marks only), a log, the metrics. */
export function buildSesFeedbackDeps(env: Env = process.env): SesFeedbackDeps {
  const tableName = env.LATCH_TABLE_NAME;
  if (!tableName) throw new Error('LATCH_TABLE_NAME is not set');
  return { undeliverable: new DynamoDbUndeliverable(createDocumentClient(env), tableName), log: createLog(), metrics: metricsOf(env) };
}

let current: SesFeedbackDeps | undefined;

/** The container's deps, built once. */
export function getSesFeedbackDeps(): SesFeedbackDeps {
  current ??= buildSesFeedbackDeps();
  return current;
}
