/**
 * The signing key custom resource: makes a key only when the secret holds none, keeps an
 * existing ring across updates, and never lets private key material out of the secret.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createHandler, type SecretStore } from '../../infra/key-generator/handler.js';
import { generateStoredKey, parseKeySecret } from '../../shared/adapters/crypto/key-ring.js';

/** An in-memory secret that records writes. */
function memorySecret(initial: string | undefined): SecretStore & { value: string | undefined; puts: number } {
  return {
    value: initial,
    puts: 0,
    async get() {
      return this.value;
    },
    async put(_id, value) {
      this.value = value;
      this.puts += 1;
    },
  };
}

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111111111111:secret:LatchSigningKeys-abc123';

function event(type: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'SigningKeyRing',
    ResourceType: 'Custom::LatchSigningKeys',
    ResourceProperties: { ServiceToken: 'token', SecretArn: SECRET_ARN },
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' };
  if (type === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: SECRET_ARN, OldResourceProperties: base.ResourceProperties };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: SECRET_ARN };
}

test('create on the placeholder secret writes one Ed25519 key and answers with its kid only', async () => {
  const secret = memorySecret('random placeholder CloudFormation generated');
  const result = await createHandler(secret)(event('Create'));
  assert.equal(secret.puts, 1);
  const [key, ...rest] = parseKeySecret(secret.value as string);
  assert.equal(rest.length, 0);
  assert.equal(key?.privateJwk.crv, 'Ed25519');
  assert.equal(typeof key?.privateJwk.d, 'string');
  assert.deepEqual(result, { PhysicalResourceId: SECRET_ARN, Data: { CurrentKid: key?.kid } });
  // What goes back to CloudFormation (and the provider's logs) carries nothing private.
  assert.ok(!JSON.stringify(result).includes(key?.privateJwk.d as string));
});

test('update keeps an existing ring as it is (no one is signed out)', async () => {
  const ring = JSON.stringify({ keys: [await generateStoredKey('current'), await generateStoredKey('previous')] });
  const secret = memorySecret(ring);
  const result = await createHandler(secret)(event('Update'));
  assert.equal(secret.puts, 0);
  assert.equal(secret.value, ring);
  assert.deepEqual(result.Data, { CurrentKid: 'current' });
});

test('a malformed ring fails the deployment instead of being replaced, and the error names no key', async () => {
  const secret = memorySecret(JSON.stringify({ keys: [{ kid: 'k', privateJwk: { kty: 'OKP', crv: 'X25519', d: 'SECRETPART' } }] }));
  await assert.rejects(createHandler(secret)(event('Update')), (error: Error) => !error.message.includes('SECRETPART'));
  assert.equal(secret.puts, 0);
});

test('delete leaves the secret to its own removal policy', async () => {
  const secret = memorySecret(undefined);
  assert.deepEqual(await createHandler(secret)(event('Delete')), { PhysicalResourceId: SECRET_ARN });
  assert.equal(secret.puts, 0);
});
