/**
 * The data-key ring (`docs/specs/mfa-and-passkeys.md` §9): AES-256-GCM round trip, the additional
 * data binding user and purpose, the key id in the stored form, rotation and unknown key ids.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AesGcmDataKeys, type DataKeyRing, dataKeysOf, generateDataKeyRing, parseDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';

const ringOf = (text: string) => parseDataKeyRing(text, 'test ring');
const binding = { purpose: 'totp' as const, userId: 'u1' };

test('a secret survives the AES-GCM round trip; the stored form is v1.<kid>.<iv>.<ciphertext+tag> and holds no plaintext', async () => {
  const keys = new AesGcmDataKeys(async () => ringOf(generateDataKeyRing('d1')));
  const stored = await keys.encrypt('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', binding);
  const parts = stored.split('.');
  assert.equal(parts.length, 4);
  assert.equal(parts[0], 'v1');
  assert.equal(parts[1], 'd1');
  assert.equal(Buffer.from(parts[2] as string, 'base64url').length, 12, '96-bit IV');
  assert.ok(!stored.includes('JBSWY3DP'));
  assert.deepEqual(await keys.decrypt(stored, binding), { plaintext: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', stale: false });
  assert.notEqual(await keys.encrypt('same', binding), await keys.encrypt('same', binding), 'a fresh IV each time');
});

test('the additional data binds user and purpose: a ciphertext moved to another user or purpose, or tampered with, does not decrypt', async () => {
  const keys = new AesGcmDataKeys(async () => ringOf(generateDataKeyRing()));
  const stored = await keys.encrypt('secret', binding);
  assert.equal(await keys.decrypt(stored, { purpose: 'totp', userId: 'u2' }), undefined);
  assert.equal(await keys.decrypt(stored, { purpose: 'totp_pending', userId: 'u1' }), undefined);
  const parts = stored.split('.');
  const body = Buffer.from(parts[3] as string, 'base64url');
  body[0] = (body[0] as number) ^ 1;
  assert.equal(await keys.decrypt([parts[0], parts[1], parts[2], body.toString('base64url')].join('.'), binding), undefined);
  assert.equal(await keys.decrypt('not.a.ciphertext', binding), undefined);
  assert.equal(await keys.decrypt('v2.d1.AAAA.AAAA', binding), undefined);
});

test('rotation: a ciphertext under an older key decrypts and reads as stale; new ciphertexts use the current key', async () => {
  const old = JSON.parse(generateDataKeyRing('d1')) as { keys: Record<string, string> };
  const fresh = JSON.parse(generateDataKeyRing('d2')) as { keys: Record<string, string> };
  const before = new AesGcmDataKeys(async () => ringOf(JSON.stringify({ current: 'd1', keys: old.keys })));
  const stored = await before.encrypt('secret', binding);
  const after = new AesGcmDataKeys(async () => ringOf(JSON.stringify({ current: 'd2', keys: { ...old.keys, ...fresh.keys } })));
  assert.deepEqual(await after.decrypt(stored, binding), { plaintext: 'secret', stale: true });
  assert.equal((await after.encrypt('secret', binding)).split('.')[1], 'd2');
});

test('an unknown key id reloads the ring at most once a minute, then answers 503', async () => {
  const first = generateDataKeyRing('d1');
  const added = JSON.parse(generateDataKeyRing('d2')) as { keys: Record<string, string> };
  const withD2 = JSON.stringify({ current: 'd2', keys: { ...(JSON.parse(first) as { keys: Record<string, string> }).keys, ...added.keys } });
  const writer = new AesGcmDataKeys(async () => ringOf(withD2));
  const stored = await writer.encrypt('secret', binding);
  let loads = 0;
  let now = 0;
  let text = first;
  const reader = new AesGcmDataKeys(
    async (): Promise<DataKeyRing> => {
      loads += 1;
      return ringOf(text);
    },
    () => now,
  );
  await assert.rejects(reader.decrypt(stored, binding), ServiceUnavailableError);
  assert.equal(loads, 2, 'the first load, then one reload');
  await assert.rejects(reader.decrypt(stored, binding), ServiceUnavailableError);
  assert.equal(loads, 2, 'no second reload within a minute');
  text = withD2;
  now += 60_000;
  assert.deepEqual(await reader.decrypt(stored, binding), { plaintext: 'secret', stale: false });
  assert.equal(loads, 3);
});

test('a malformed ring is refused without naming a key', () => {
  const key = Buffer.alloc(32, 1).toString('base64url');
  assert.throws(() => parseDataKeyRing('nope', 'R'), /R is not JSON/);
  assert.throws(() => parseDataKeyRing(JSON.stringify({ current: 'd9', keys: { d1: key } }), 'R'), /current must name/);
  assert.throws(
    () => parseDataKeyRing(JSON.stringify({ current: 'd1', keys: { d1: 'c2hvcnQ' } }), 'R'),
    (error: Error) => /32 bytes/.test(error.message) && !error.message.includes('c2hvcnQ'),
  );
  assert.throws(() => parseDataKeyRing(JSON.stringify({ current: 'a.b', keys: { 'a.b': key } }), 'R'), /key id/);
});

test('LATCH_DATA_KEYS holds the ring locally; without it or LATCH_DATA_KEY_SECRET there is none', async () => {
  assert.equal(dataKeysOf({}), undefined);
  const keys = dataKeysOf({ LATCH_DATA_KEYS: generateDataKeyRing() });
  assert.ok(keys);
  assert.equal((await keys.decrypt(await keys.encrypt('x', binding), binding))?.plaintext, 'x');
});
