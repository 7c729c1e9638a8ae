/**
 * The Lambda composition root composes the audit log reader and the data-key ring only where the
 * function's entry asks for them (issue 17, row 6; `shared/runtime/optional-adapters.ts`): not
 * composed, using one is a 503 naming it, never a silent answer. Which bundles compose them is
 * checked against their code in `test/infra/bundles.test.ts`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateStoredKey } from '../../shared/adapters/crypto/key-ring.js';
import { DynamoDbAuditLog } from '../../shared/adapters/dynamodb/audit-log.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';
import { buildDeps } from '../../shared/runtime/lambda-deps.js';
import { WITH_AUDIT_LOG, WITH_COUNTERS, WITH_DATA_KEYS } from '../../shared/runtime/optional-adapters.js';

async function env(): Promise<Record<string, string>> {
  return {
    AWS_REGION: 'us-east-1',
    LATCH_TABLE_NAME: 'latch-composition',
    LATCH_SIGNING_KEYS: JSON.stringify({ keys: [await generateStoredKey('composition')] }),
    AUTH_ISSUER: 'https://auth.example.com',
    APP_URL: 'https://app.example.com',
    AUTH_MAIL_FROM: 'no-reply@example.com',
  };
}

const binding = { purpose: 'totp', userId: 'u1' } as const;

test('composition: without WITH_AUDIT_LOG / WITH_DATA_KEYS / WITH_COUNTERS, reading the audit log, using the data keys or a counter is a 503; mail is never sent from an HTTP function', async () => {
  const deps = buildDeps(await env());
  await assert.rejects(deps.auditLog.query({ userId: 'u1', limit: 10 } as never), ServiceUnavailableError);
  await assert.rejects(deps.dataKeys.encrypt('secret', binding), ServiceUnavailableError);
  await assert.rejects(deps.dataKeys.decrypt('v1.d1.a.b', binding), ServiceUnavailableError);
  await assert.rejects(deps.counters.getCounters(['ip:203.0.113.9'], 0), ServiceUnavailableError);
  await assert.rejects(deps.mailer.send({ to: 'a@example.com', subject: 's', text: 't', html: 'h' } as never), ServiceUnavailableError);
});

test('composition: with them, the audit log is the DynamoDB reader and the data keys encrypt and decrypt', async () => {
  const { generateDataKeyRing } = await import('../../shared/adapters/crypto/data-keys.js');
  const deps = buildDeps({ ...(await env()), LATCH_DATA_KEYS: generateDataKeyRing() }, { ...WITH_AUDIT_LOG, ...WITH_DATA_KEYS, ...WITH_COUNTERS });
  assert.ok(deps.auditLog instanceof DynamoDbAuditLog);
  assert.ok(deps.counters instanceof DynamoDbCounters);
  const stored = await deps.dataKeys.encrypt('secret', binding);
  assert.equal((await deps.dataKeys.decrypt(stored, binding))?.plaintext, 'secret');
});

// --- lean3 (issue 17, row 6): configuration sections ---
test('composition: a configuration section the entry did not compose is not parsed, and reading it is a 503 naming it', async () => {
  const { WITH_UI_CLIENTS, WITH_UI_THEME } = await import('../../shared/runtime/optional-adapters.js');
  // Malformed sections do not stop a function that does not read them…
  const broken = { AUTH_UI_CLIENTS: 'not json', AUTH_UI_CSS_VARIABLES: '{"--latch-primary":"red"}', AUTH_OAUTH_PROVIDERS: '{}' };
  const deps = buildDeps({ ...(await env()), ...broken });
  for (const read of [() => deps.config.oauthProviders, () => deps.config.ui.clients, () => deps.config.ui.cssVariables, () => deps.config.ui.logoUrl]) {
    assert.throws(read, (error: unknown) => error instanceof ServiceUnavailableError && /not composed/.test(String((error as Error).cause)));
  }
  // …and still fail the cold start of one that does.
  const base = await env();
  assert.throws(() => buildDeps({ ...base, ...broken }, WITH_UI_CLIENTS), /AUTH_UI_CLIENTS/);
  assert.throws(() => buildDeps({ ...base, AUTH_UI_CSS_VARIABLES: broken.AUTH_UI_CSS_VARIABLES }, WITH_UI_THEME), /AUTH_UI_CSS_VARIABLES|cssVariables/);
});

test('composition: composed sections are parsed, and a function that shares the process adds its own to the same config', async () => {
  const { loadConfig, loadConfigWith, addConfigSections } = await import('../../shared/config.js');
  const { WITH_OAUTH, WITH_UI_CLIENTS, WITH_UI_THEME } = await import('../../shared/runtime/optional-adapters.js');
  const settings = {
    ...(await env()),
    AUTH_UI_LOGO_URL: 'https://cdn.example.com/logo.svg',
    AUTH_UI_CLIENTS: JSON.stringify([{ clientId: 'app', name: 'App', type: 'public', redirectUris: ['https://app.example.com/cb'], logoutUris: [] }]),
  };
  const config = loadConfigWith(settings, WITH_UI_CLIENTS);
  assert.equal(config.ui.clients[0]?.clientId, 'app');
  assert.throws(() => config.ui.logoUrl, ServiceUnavailableError);
  addConfigSections(config, settings, { ...WITH_UI_THEME, ...WITH_OAUTH });
  assert.equal(config.ui.logoUrl, 'https://cdn.example.com/logo.svg');
  assert.deepEqual(config.oauthProviders, []);
  // Every section composed: the same configuration as the tools' loadConfig.
  assert.deepEqual(config, loadConfig(settings));
});

test('composition: without WITH_PASSWORD_LISTS, a check against the breached or common list is a 503; with it, the lists answer', async () => {
  const { WITH_PASSWORD_LISTS } = await import('../../shared/runtime/optional-adapters.js');
  const without = buildDeps(await env());
  assert.throws(() => without.breached.has('password1'), ServiceUnavailableError);
  assert.throws(() => without.commonPasswords.has('password1'), ServiceUnavailableError);
  const withLists = buildDeps(await env(), WITH_PASSWORD_LISTS);
  assert.equal(withLists.commonPasswords.has('password1'), true);
  assert.equal(withLists.breached.has('correct horse battery staple 7f3a'), false);
  // Where the deployment ships the list, a missing file fails the cold start.
  const base = await env();
  assert.throws(() => buildDeps({ ...base, LATCH_BREACHED_PASSWORDS_FILE: 'nowhere.bin' }, WITH_PASSWORD_LISTS), /nowhere\.bin/);
});

test('composition: without WITH_KEYS (email-confirmation, password-reset) no key ring is built and using one is a 503; with it, its settings are checked at cold start', async () => {
  const { WITH_KEYS } = await import('../../shared/runtime/key-ring-of.js');
  const { LATCH_SIGNING_KEYS: _keys, ...withoutKeys } = await env();
  const deps = buildDeps(withoutKeys);
  await assert.rejects(deps.keys.signingKey(), ServiceUnavailableError);
  await assert.rejects(deps.keys.publicJwks(), ServiceUnavailableError);
  assert.throws(() => buildDeps(withoutKeys, WITH_KEYS), /LATCH_SIGNING_KEY_SECRET/);
  const signing = buildDeps(await env(), WITH_KEYS);
  assert.equal((await signing.keys.publicJwks()).keys[0]?.kid, 'composition');
});
// --- end lean3 ---
