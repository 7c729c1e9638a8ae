/**
 * The signing key custom resource: makes a key only when the secret holds none, keeps an
 * existing ring across updates, and never lets private key material out of the secret.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createHandler, type SecretStore } from '../../infra/key-generator/handler.js';
import { generateStoredKey, parseKeySecret, parsePublicJwks, publicJwksOf } from '../../shared/adapters/crypto/key-ring.js';

/** In-memory secrets (by id) that record writes. */
function memorySecrets(initial: string | undefined): SecretStore & { values: Map<string, string | undefined>; puts: number; value: string | undefined } {
  const values = new Map<string, string | undefined>([
    [SECRET_ARN, initial],
    [PUBLIC_SECRET_ARN, 'random placeholder of the public secret'],
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

function event(type: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'SigningKeyRing',
    ResourceType: 'Custom::LatchSigningKeys',
    ResourceProperties: { ServiceToken: 'token', SecretArn: SECRET_ARN, PublicSecretArn: PUBLIC_SECRET_ARN },
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' };
  if (type === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: SECRET_ARN, OldResourceProperties: base.ResourceProperties };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: SECRET_ARN };
}

test('create on the placeholder secret writes one Ed25519 key and answers with its kid only', async () => {
  const secret = memorySecrets('random placeholder CloudFormation generated');
  const result = await createHandler(secret)(event('Create'));
  assert.equal(secret.puts, 2, 'the private ring, then its public JWKS');
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
  const result = await createHandler(secret)(event('Update'));
  assert.equal(secret.puts, 0);
  assert.equal(secret.value, ring);
  assert.deepEqual(result.Data, { CurrentKid: 'current' });
});

test('the public secret gets the public JWKS of the whole ring, current first, with no private member', async () => {
  const keys = [await generateStoredKey('added-by-hand'), await generateStoredKey('current')];
  const secret = memorySecrets(JSON.stringify({ keys }));
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
