/**
 * Private key reach (runtime half; the grants are in `test/infra/signing-keys.test.ts`): a
 * function deployed with the public key secret builds a key ring that verifies every token the
 * signers issue, serves the same JWKS, and cannot sign; the public ring never holds a private member.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jwtVerify, SignJWT } from 'jose';
import { generateStoredKey, PublicKeyRing, parsePublicJwks, publicJwksOf, StaticKeyRing } from '../../shared/adapters/crypto/key-ring.js';
import { keyRingOf } from '../../shared/runtime/lambda-deps.js';

async function signWith(ring: StaticKeyRing): Promise<{ token: string; kid: string }> {
  const key = await ring.signingKey();
  const token = await new SignJWT({ sub: 'u1' }).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuedAt().setExpirationTime('5m').sign(key.key);
  return { token, kid: key.kid };
}

test('private key reach: the public ring verifies what the private ring signs, serves the same JWKS, and cannot sign', async () => {
  const stored = [await generateStoredKey('current'), await generateStoredKey('previous')];
  const signer = new StaticKeyRing(stored);
  const verifier = new PublicKeyRing(parsePublicJwks(JSON.stringify(publicJwksOf(stored))));
  const { token, kid } = await signWith(signer);
  const key = await verifier.verificationKey(kid);
  assert.ok(key);
  assert.equal((await jwtVerify(token, key)).payload.sub, 'u1');
  assert.ok(await verifier.verificationKey('previous'));
  assert.equal(await verifier.verificationKey('unknown'), undefined);
  assert.deepEqual(await verifier.publicJwks(), await signer.publicJwks());
  await assert.rejects(verifier.signingKey(), (error: Error) => /cannot sign/.test(error.message));
});

test('private key reach: a public ring holding a private member is refused', async () => {
  const [stored] = [await generateStoredKey('leaky')];
  const leaky = JSON.stringify({ keys: [{ ...stored.privateJwk, kid: 'leaky' }] });
  assert.throws(
    () => parsePublicJwks(leaky),
    (error: Error) => /private/.test(error.message) && !error.message.includes(stored.privateJwk.d as string),
  );
  assert.throws(() => parsePublicJwks('{"keys":[]}'), /no keys/);
});

test('private key reach: the runtime loads the private ring only with LATCH_SIGNING_KEY_SECRET, the public one with LATCH_PUBLIC_KEY_SECRET', async () => {
  assert.ok(keyRingOf({ LATCH_SIGNING_KEY_SECRET: 'arn:private' }) instanceof StaticKeyRing);
  const verifying = keyRingOf({ LATCH_PUBLIC_KEY_SECRET: 'arn:public' });
  assert.ok(verifying instanceof PublicKeyRing);
  // Refused before any Secrets Manager call: a verifier has nothing to sign with.
  await assert.rejects(verifying.signingKey(), (error: Error) => /cannot sign/.test(error.message));
  const none = keyRingOf({ LATCH_KEYS: 'none' });
  await assert.rejects(none.signingKey(), (error: Error) => /without key access/.test(error.message));
  await assert.rejects(none.publicJwks(), (error: Error) => /without key access/.test(error.message));
  assert.throws(() => keyRingOf({}), /LATCH_PUBLIC_KEY_SECRET/);
  // The local runner's ring (the JSON itself) signs and verifies, as before.
  const local = keyRingOf({ LATCH_SIGNING_KEYS: JSON.stringify({ keys: [await generateStoredKey('local')] }) });
  assert.equal((await local.signingKey()).kid, 'local');
});
