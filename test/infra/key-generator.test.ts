/**
 * The signing key custom resource: makes a key only when the secret holds none, keeps an
 * existing ring across updates, and never lets private key material out of the secret. The
 * audit key follows the same rule: written once over its placeholder, never rotated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createHandler, type SecretStore } from '../../infra/key-generator/handler.js';
import { parseDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { generateStoredKey, parseKeySecret, parsePublicJwks, publicJwksOf } from '../../shared/adapters/crypto/key-ring.js';
import { AUDIT_KEY_BYTES } from '../../shared/domain/audit.js';

/** In-memory secrets (by id) that record writes. */
function memorySecrets(initial: string | undefined): SecretStore & { values: Map<string, string | undefined>; puts: number; value: string | undefined } {
  const values = new Map<string, string | undefined>([
    [SECRET_ARN, initial],
    [PUBLIC_SECRET_ARN, 'random placeholder of the public secret'],
    [AUDIT_KEY_SECRET_ARN, AUDIT_PLACEHOLDER],
  ]);
  return {
    values,
    puts: 0,
    get value() {
      return values.get(SECRET_ARN);
    },
    async get(id) {
      return values.get(id);
    },
    async put(id, value) {
      values.set(id, value);
      this.puts += 1;
    },
  };
}

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:LatchSigningKeys-abc123';
const PUBLIC_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:LatchSigningKeysPublic-def456';
const AUDIT_KEY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:LatchAuditLogKeySecret-ghi789';
/** What CloudFormation creates the audit key secret with (`infra/constructs/audit-log.ts`). */
const AUDIT_PLACEHOLDER = '{"placeholder":"Qm7ZxK2pLw9RtYv3NcHd8FsJa4UeBg6T"}';

function event(type: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'SigningKeyRing',
    ResourceType: 'Custom::LatchSigningKeys',
    ResourceProperties: { ServiceToken: 'token', SecretArn: SECRET_ARN, PublicSecretArn: PUBLIC_SECRET_ARN, AuditKeySecretArn: AUDIT_KEY_SECRET_ARN },
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' };
  if (type === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: SECRET_ARN, OldResourceProperties: base.ResourceProperties };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: SECRET_ARN };
}

test('create on the placeholder secret writes one Ed25519 key and answers with its kid only', async () => {
  const secret = memorySecrets('random placeholder CloudFormation generated');
  const result = await createHandler(secret)(event('Create'));
  assert.equal(secret.puts, 3, 'the private ring, its public JWKS, the audit key');
  const [key, ...rest] = parseKeySecret(secret.value as string);
  assert.equal(rest.length, 0);
  assert.equal(key?.privateJwk.crv, 'Ed25519');
  assert.equal(typeof key?.privateJwk.d, 'string');
  assert.deepEqual(result, { PhysicalResourceId: SECRET_ARN, Data: { CurrentKid: key?.kid } });
  // What goes back to CloudFormation (and the provider's logs) carries nothing private.
  assert.ok(!JSON.stringify(result).includes(key?.privateJwk.d as string));
});

test('update keeps an existing ring as it is (no one is signed out)', async () => {
  const keys = [await generateStoredKey('current'), await generateStoredKey('previous')];
  const ring = JSON.stringify({ keys });
  const secret = memorySecrets(ring);
  secret.values.set(PUBLIC_SECRET_ARN, JSON.stringify(publicJwksOf(keys)));
  secret.values.set(AUDIT_KEY_SECRET_ARN, Buffer.alloc(AUDIT_KEY_BYTES, 7).toString('base64url'));
  const result = await createHandler(secret)(event('Update'));
  assert.equal(secret.puts, 0);
  assert.equal(secret.value, ring);
  assert.deepEqual(result.Data, { CurrentKid: 'current' });
});

test('the public secret gets the public JWKS of the whole ring, current first, with no private member', async () => {
  const keys = [await generateStoredKey('added-by-hand'), await generateStoredKey('current')];
  const secret = memorySecrets(JSON.stringify({ keys }));
  secret.values.set(AUDIT_KEY_SECRET_ARN, Buffer.alloc(AUDIT_KEY_BYTES, 7).toString('base64url'));
  await createHandler(secret)(event('Update'));
  assert.equal(secret.puts, 1, 'only the public secret is written');
  const text = secret.values.get(PUBLIC_SECRET_ARN) as string;
  const published = parsePublicJwks(text);
  assert.deepEqual(
    published.keys.map((k) => k.kid),
    ['added-by-hand', 'current'],
  );
  for (const key of keys) assert.ok(!text.includes(key.privateJwk.d as string));
  assert.deepEqual(Object.keys(published.keys[0] ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
});

test('create and update need the public secret ARN', async () => {
  const secret = memorySecrets(undefined);
  const bad = { ...event('Create'), ResourceProperties: { ServiceToken: 'token', SecretArn: SECRET_ARN } } as CloudFormationCustomResourceEvent;
  await assert.rejects(createHandler(secret)(bad), (error: Error) => /PublicSecretArn/.test(error.message));
  assert.equal(secret.puts, 0);
});

test('a malformed ring fails the deployment instead of being replaced, and the error names no key', async () => {
  const secret = memorySecrets(JSON.stringify({ keys: [{ kid: 'k', privateJwk: { kty: 'OKP', crv: 'X25519', d: 'SECRETPART' } }] }));
  await assert.rejects(createHandler(secret)(event('Update')), (error: Error) => !error.message.includes('SECRETPART'));
  assert.equal(secret.puts, 0);
});

test('delete leaves the secret to its own removal policy', async () => {
  const secret = memorySecrets(undefined);
  assert.deepEqual(await createHandler(secret)(event('Delete')), { PhysicalResourceId: SECRET_ARN });
  assert.equal(secret.puts, 0);
});

test('the audit key is 32 random bytes in base64url, written over the placeholder only, and never in the response', async () => {
  const first = memorySecrets(undefined);
  const result = await createHandler(first)(event('Create'));
  const key = first.values.get(AUDIT_KEY_SECRET_ARN) as string;
  assert.match(key, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(key, 'base64url').length, AUDIT_KEY_BYTES);
  assert.ok(!JSON.stringify(result).includes(key), 'nothing about the audit key goes back to CloudFormation');
  // A second stack gets its own key.
  const second = memorySecrets(undefined);
  await createHandler(second)(event('Create'));
  assert.notEqual(second.values.get(AUDIT_KEY_SECRET_ARN), key);
});

test('the audit key is never rotated: updates keep it, whatever else changes', async () => {
  const secret = memorySecrets(undefined);
  await createHandler(secret)(event('Create'));
  const key = secret.values.get(AUDIT_KEY_SECRET_ARN);
  // A signing key added by hand: the generator publishes it, and still keeps the audit key.
  const ring = parseKeySecret(secret.value as string);
  secret.values.set(SECRET_ARN, JSON.stringify({ keys: [await generateStoredKey('added-by-hand'), ...ring] }));
  await createHandler(secret)(event('Update'));
  await createHandler(secret)(event('Update'));
  assert.equal(secret.values.get(AUDIT_KEY_SECRET_ARN), key);
  // A key an operator put there (standard base64 too, as the functions read it) is kept as it is.
  const handMade = Buffer.alloc(AUDIT_KEY_BYTES, 9).toString('base64');
  secret.values.set(AUDIT_KEY_SECRET_ARN, handMade);
  await createHandler(secret)(event('Update'));
  assert.equal(secret.values.get(AUDIT_KEY_SECRET_ARN), handMade);
});

test('an audit key secret holding something that is neither the placeholder nor a key fails the deployment and is left alone', async () => {
  for (const value of ['6a1f'.repeat(16), 'NOT-A-KEY-but-someones-text', '{"placeholder":"x","other":1}']) {
    const secret = memorySecrets(undefined);
    secret.values.set(AUDIT_KEY_SECRET_ARN, value);
    await assert.rejects(createHandler(secret)(event('Update')), (error: Error) => /audit key/.test(error.message) && !error.message.includes(value));
    assert.equal(secret.values.get(AUDIT_KEY_SECRET_ARN), value);
  }
});

test('a custom resource without an audit key secret (older templates) only handles the signing keys', async () => {
  const secret = memorySecrets(undefined);
  const base = event('Create') as CloudFormationCustomResourceEvent & { ResourceProperties: Record<string, unknown> };
  const { AuditKeySecretArn: _, ...properties } = base.ResourceProperties;
  await createHandler(secret)({ ...base, ResourceProperties: properties } as CloudFormationCustomResourceEvent);
  assert.equal(secret.values.get(AUDIT_KEY_SECRET_ARN), AUDIT_PLACEHOLDER);
  assert.equal(secret.puts, 2);
});

const DATA_KEY_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:LatchSigningKeysDataKeys-jkl012';

test('the data-key ring is written over its placeholder only, kept on update, never in the response, and a malformed one fails the deployment', async () => {
  const secret = memorySecrets('random placeholder CloudFormation generated');
  secret.values.set(DATA_KEY_SECRET_ARN, AUDIT_PLACEHOLDER);
  const withDataKeys = (type: 'Create' | 'Update') => {
    const e = event(type);
    e.ResourceProperties = { ...e.ResourceProperties, DataKeySecretArn: DATA_KEY_SECRET_ARN };
    return e;
  };
  const result = await createHandler(secret)(withDataKeys('Create'));
  const ring = secret.values.get(DATA_KEY_SECRET_ARN) as string;
  const parsed = parseDataKeyRing(ring, 'ring');
  assert.equal(parsed.keys.size, 1);
  const [key] = [...parsed.keys.values()];
  assert.ok(!JSON.stringify(result).includes((key as Buffer).toString('base64url')));
  await createHandler(secret)(withDataKeys('Update'));
  assert.equal(secret.values.get(DATA_KEY_SECRET_ARN), ring, 'kept as it is');
  secret.values.set(DATA_KEY_SECRET_ARN, '{"current":"d1","keys":{"d1":"short"}}');
  await assert.rejects(createHandler(secret)(withDataKeys('Update')), (error: Error) => !error.message.includes('short'));
  assert.equal(secret.values.get(DATA_KEY_SECRET_ARN), '{"current":"d1","keys":{"d1":"short"}}', 'left alone');
});
