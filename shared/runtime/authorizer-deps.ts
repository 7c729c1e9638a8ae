import { DynamoDbSessionReader } from '../adapters/dynamodb/session-reader.js';
import { loadConfigWith } from '../config.js';
import type { Deps } from '../flows/deps.js';
import type { AuthStore } from '../ports/store.js';
import { existingDeps } from './container.js';
import { createDocumentClient } from './documents.js';
import { keyRingOf } from './key-ring-of.js';
import { createLog } from './logger.js';

type Env = Record<string, string | undefined>;

/** What the authorizer uses: the token check's deps (`checkAccessToken`) and a log. */
export type AuthorizerDeps = Pick<Deps, 'config' | 'keys' | 'clock' | 'log'> & { store: Pick<AuthStore, 'getSession'> };

/**
 * The authorizer's composition root: the configuration, the public key ring and one session
 * read (`DynamoDbSessionReader`). It builds no store, hasher, mailer or audit adapters, so its
 * bundle and its cold start carry none of them.
 */
export function buildAuthorizerDeps(env: Env = process.env): AuthorizerDeps {
  // No section of `ConfigSections`: the token check reads none.
  const config = loadConfigWith(env, {});
  const tableName = env.LATCH_TABLE_NAME;
  if (!tableName) throw new Error('LATCH_TABLE_NAME is not set');
  return {
    config,
    keys: keyRingOf(env, { ttlSeconds: config.keyRingTtlSeconds }),
    store: new DynamoDbSessionReader(createDocumentClient(env), tableName),
    clock: { now: () => Date.now() },
    log: createLog(),
  };
}

let current: AuthorizerDeps | undefined;

/**
 * The container's authorizer deps, built once. Where the process already has the full deps (the
 * local runner and in-process tests and benchmarks, which run every function in one process or
 * inject their own with `useDeps`), the authorizer uses those.
 */
export function getAuthorizerDeps(): AuthorizerDeps {
  const shared = existingDeps();
  if (shared) return shared;
  current ??= buildAuthorizerDeps();
  return current;
}
