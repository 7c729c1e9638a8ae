import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { generateStoredKey } from '../../shared/adapters/crypto/key-ring.js';
import { writeKeyRingFile } from '../../shared/adapters/crypto/key-ring-file.js';
import { auditTableNameOf } from '../../shared/adapters/dynamodb/audit-table.js';
import { generateAuditKey } from '../../shared/adapters/secrets/audit-key.js';
import { type LocalApi, startLocalApi } from './api-server.js';
import { LocalOutbox } from './outbox.js';
import { ensureTable, freePort } from './services.js';

export interface LocalStackOptions {
  /** API port; 0 for any free one. */
  port: number;
  dynamoDbEndpoint: string;
  sesEndpoint: string;
  tableName: string;
  /** Extra settings (AUTH_* and friends) on top of the environment. */
  env?: Record<string, string>;
  /** Where the signing key ring lives (`latch keys` rotates it); default: a fresh file in a temporary folder. */
  signingKeysFile?: string;
  /** Drain the outbox this often (the local runner); 0 or unset: only when `outbox.drain()` is called (the tests). */
  pollOutboxMs?: number;
}

/**
 * Points this process's functions at local services and serves the API: creates the table from
 * the shared definition, makes a fresh signing key (local keys live only as long as the
 * process), sets the same environment variables CDK sets on the deployed functions, then loads
 * the handlers. One stack per process, since handlers build their deps once, as on Lambda.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalApi & { env: Record<string, string>; outbox: LocalOutbox }> {
  await ensureTable(options.dynamoDbEndpoint, options.tableName);
  const key = await generateStoredKey('local-1');
  // The ring is a file the functions read again after AUTH_KEY_RING_TTL_SECONDS, so `latch keys` can rotate it (docs/key-rotation.md).
  const signingKeysFile = options.signingKeysFile ?? path.join(mkdtempSync(path.join(tmpdir(), 'latch-keys-')), 'signing-keys.json');
  await writeKeyRingFile(signingKeysFile, [{ ...key, status: 'current' }]);
  const env: Record<string, string> = {
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    LATCH_TABLE_NAME: options.tableName,
    LATCH_AUDIT_TABLE_NAME: auditTableNameOf(options.tableName),
    // A fresh audit key per process, like the signing key; `npm start` records it for the CLI.
    LATCH_AUDIT_KEY: generateAuditKey(),
    LATCH_DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
    LATCH_SES_ENDPOINT: options.sesEndpoint,
    LATCH_SIGNING_KEYS_FILE: signingKeysFile,
    // A fresh data-key ring per process (TOTP secrets stored by an earlier run do not decrypt).
    LATCH_DATA_KEYS: generateDataKeyRing(),
    // No sender (AUTH_MAIL_FROM) here: the documented default of shared/config.ts applies.
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    ...options.env,
  };
  Object.assign(process.env, env);
  // The issuer is the API's own URL, so the port is fixed before the handlers load the config.
  const port = options.port === 0 ? await freePort() : options.port;
  process.env.AUTH_ISSUER ??= `http://127.0.0.1:${port}`;
  env.AUTH_ISSUER = process.env.AUTH_ISSUER;
  // --- hosted UI: the mailed links land on the pages (APP_URL = <origin>/ui) ---
  if (/^(true|1)$/.test(process.env.AUTH_UI ?? '') && !process.env.APP_URL) {
    process.env.APP_URL = `http://127.0.0.1:${port}/ui`;
    env.APP_URL = process.env.APP_URL;
  }
  // --- end hosted UI ---
  const trustedProxies = (process.env.AUTH_TRUSTED_PROXIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const api = await startLocalApi({ port, trustedProxies });
  // Mail leaves through the outbox, as on AWS: the stream's stand-in hands it to the mail sender.
  const outbox = new LocalOutbox(options.dynamoDbEndpoint, options.tableName);
  const stopPolling = options.pollOutboxMs ? outbox.poll(options.pollOutboxMs) : () => undefined;
  return {
    ...api,
    env,
    outbox,
    async close() {
      stopPolling();
      await api.close();
      await outbox.drain();
      outbox.close();
    },
  };
}
