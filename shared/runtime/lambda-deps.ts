import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Argon2Hasher } from '../adapters/crypto/argon2-hasher.js';
import { parseKeySecret, StaticKeyRing } from '../adapters/crypto/key-ring.js';
import { DynamoDbCounters } from '../adapters/dynamodb/counters.js';
import { DynamoDbStore } from '../adapters/dynamodb/store.js';
import { loadKeysFromSecretsManager } from '../adapters/secrets/key-secret.js';
import { SesMailer } from '../adapters/ses/mailer.js';
import { loadConfig } from '../config.js';
import type { Deps } from '../flows/deps.js';
import { lazyHooks } from '../hooks/load.js';
import { loadMailTemplates } from '../mail/overrides.js';
import { createLog } from './logger.js';

type Env = Record<string, string | undefined>;

/** A DocumentClient for the table, pointed at DynamoDB Local when `LATCH_DYNAMODB_ENDPOINT` is set. */
export function createDocumentClient(env: Env = process.env): DynamoDBDocumentClient {
  const endpoint = env.LATCH_DYNAMODB_ENDPOINT;
  const client = new DynamoDBClient({
    ...(endpoint ? { endpoint } : {}),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * The composition root: builds every adapter from environment variables. Configuration errors
 * throw here, at cold start. Adapters load heavy modules (argon2, SES, Secrets Manager) on
 * first use, so a function pays only for what it calls.
 */
export function buildDeps(env: Env = process.env): Deps {
  const config = loadConfig(env);
  const tableName = env.LATCH_TABLE_NAME;
  if (!tableName) throw new Error('LATCH_TABLE_NAME is not set');
  let keys: StaticKeyRing;
  if (env.LATCH_SIGNING_KEY_SECRET) {
    const secretId = env.LATCH_SIGNING_KEY_SECRET;
    keys = new StaticKeyRing(() => loadKeysFromSecretsManager(secretId));
  } else if (env.LATCH_SIGNING_KEYS) {
    keys = new StaticKeyRing(parseKeySecret(env.LATCH_SIGNING_KEYS));
  } else {
    throw new Error('Set LATCH_SIGNING_KEY_SECRET (AWS) or LATCH_SIGNING_KEYS (local) for the signing keys');
  }
  const documents = createDocumentClient(env);
  return {
    config,
    store: new DynamoDbStore(documents, tableName),
    counters: new DynamoDbCounters(documents, tableName),
    hasher: new Argon2Hasher(),
    keys,
    mailer: new SesMailer(config.mailFrom, env.LATCH_SES_ENDPOINT ? { endpoint: env.LATCH_SES_ENDPOINT } : {}),
    templates: loadMailTemplates(env),
    clock: { now: () => Date.now() },
    log: createLog(),
    // The deployer's module (CDK bundles it as latch-hooks.mjs beside the handler; locally any .ts/.js path).
    hooks: env.LATCH_HOOKS_MODULE ? lazyHooks(env.LATCH_HOOKS_MODULE) : undefined,
  };
}

let current: Deps | undefined;

/** The container's deps, built once. */
export function getDeps(): Deps {
  current ??= buildDeps();
  return current;
}

/** Replaces the container's deps (benchmarks and in-process tests with in-memory adapters). */
export function useDeps(deps: Deps): void {
  current = deps;
}
