/**
 * The rotation steps (`shared/adapters/crypto/key-rotation.ts`) and the key ring's reload on a
 * TTL (`AUTH_KEY_RING_TTL_SECONDS`), with a clock the test moves.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateStoredKey, PublicKeyRing, publicJwksOf, StaticKeyRing, type StoredKey } from '../../shared/adapters/crypto/key-ring.js';
import { describeRing, promoteKey, RotationRefused, retireKeys, revokeKey, stageKey } from '../../shared/adapters/crypto/key-rotation.js';

const times = { accessTokenTtlSeconds: 900, keyRingTtlSeconds: 300 };
const T0 = Date.parse('2026-01-01T00:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;

test('key rotation steps: stage, promote after one key-ring TTL, retire after the access-token lifetime plus the TTL', async () => {
  const first = await generateStoredKey('k1');
  const second = await generateStoredKey('k2');
  let ring: StoredKey[] = [first];
  ring = stageKey(ring, second, s(0));
  assert.deepEqual(
    describeRing(ring, times, s(0)).map((r) => [r.kid, r.status, r.ready]),
    [
      ['k1', 'current', undefined],
      ['k2', 'next', false],
    ],
  );
  assert.throws(() => stageKey(ring, { ...second, kid: 'k3' }, s(1)), RotationRefused);
  assert.throws(() => promoteKey(ring, times, s(299)), /AUTH_KEY_RING_TTL_SECONDS/);
  const promoted = promoteKey(ring, times, s(300));
  assert.equal(promoted.promoted, 'k2');
  ring = promoted.ring;
  assert.deepEqual(
    ring.map((k) => [k.kid, k.status]),
    [
      ['k2', 'current'],
      ['k1', 'previous'],
    ],
  );
  // k1 stopped signing at s(300): its last token is valid until s(300 + 300 + 900).
  assert.throws(() => retireKeys(ring, times, s(1499)), RotationRefused);
  assert.throws(() => retireKeys(ring, times, s(1499), { kid: 'k1' }), /may still be valid/);
  assert.deepEqual(retireKeys(ring, times, s(1499), { kid: 'k1', force: true }).retired, ['k1']);
  const retired = retireKeys(ring, times, s(1500));
  assert.deepEqual(retired.retired, ['k1']);
  assert.deepEqual(
    retired.ring.map((k) => k.kid),
    ['k2'],
  );
  assert.throws(() => retireKeys(retired.ring, times, s(2000)), /No previous key/);
  assert.throws(() => retireKeys(retired.ring, times, s(2000), { kid: 'k2', force: true }), /only a previous key retires/);
});

test('key rotation steps: revoking the current key promotes the staged one, or a fresh one; a legacy ring reads as current then previous', async () => {
  const [a, b, c] = await Promise.all([generateStoredKey('a'), generateStoredKey('b'), generateStoredKey('c')]);
  // A ring from before rotation states: first current, the rest previous.
  const legacy = [a, b];
  assert.deepEqual(
    describeRing(legacy, times, s(0)).map((r) => r.status),
    ['current', 'previous'],
  );
  // A legacy previous key has no retiredAt: only --force retires it.
  assert.throws(() => retireKeys(legacy, times, s(10_000)), /added before rotation states/);
  const staged = stageKey(legacy, c, s(0));
  const withStaged = await revokeKey(staged, 'a', () => Promise.reject(new Error('not needed')));
  assert.equal(withStaged.promoted, 'c');
  assert.deepEqual(
    withStaged.ring.map((k) => [k.kid, k.status]),
    [
      ['c', 'current'],
      ['b', 'previous'],
    ],
  );
  const fresh = await revokeKey([a], 'a', () => generateStoredKey('fresh'));
  assert.deepEqual(
    fresh.ring.map((k) => [k.kid, k.status]),
    [['fresh', 'current']],
  );
  const previousOnly = await revokeKey(legacy, 'b', () => Promise.reject(new Error('not needed')));
  assert.equal(previousOnly.promoted, undefined);
  await assert.rejects(
    revokeKey(legacy, 'zzz', () => generateStoredKey()),
    RotationRefused,
  );
});

test('key ring reload: read once per TTL; an unchanged ring keeps its loaded keys (and cached verifier); a failed reload keeps serving the ring', async () => {
  const [a, b] = await Promise.all([generateStoredKey('a'), generateStoredKey('b')]);
  let now = s(0);
  let stored: StoredKey[] = [a];
  let reads = 0;
  let fail = false;
  const ring = new StaticKeyRing(
    async () => {
      reads += 1;
      if (fail) throw new Error('throttled');
      return stored;
    },
    { ttlSeconds: 300, now: () => now },
  );
  const first = await ring.publicKeySet();
  assert.equal((await ring.signingKey()).kid, 'a');
  assert.equal(reads, 1);
  now = s(299);
  assert.equal(await ring.publicKeySet(), first);
  assert.equal(reads, 1, 'no read within the TTL');
  now = s(300);
  assert.equal(await ring.publicKeySet(), first, 'the same ring keeps its loaded keys');
  assert.equal(reads, 2);
  // A rotation: staged key b, then promoted.
  stored = stageKey(stored, b, now);
  now = s(600);
  const staged = await ring.publicKeySet();
  assert.notEqual(staged, first);
  assert.deepEqual(
    staged.keys.map((k) => k.kid),
    ['a', 'b'],
  );
  assert.equal((await ring.signingKey()).kid, 'a', 'a staged key does not sign');
  assert.ok(await ring.verificationKey('b'));
  stored = promoteKey(stored, { accessTokenTtlSeconds: 900, keyRingTtlSeconds: 300 }, now).ring;
  // Secrets Manager fails: the ring it has keeps serving, and it tries again soon.
  fail = true;
  now = s(900);
  assert.equal((await ring.signingKey()).kid, 'a');
  const readsAfterFailure = reads;
  now = s(905);
  await ring.signingKey();
  assert.equal(reads, readsAfterFailure, 'no new read right after a failure');
  fail = false;
  now = s(911);
  assert.equal((await ring.signingKey()).kid, 'b');
  // A ring that does not load (a malformed key written by hand) is not taken: the working one stays.
  stored = [{ ...b, privateJwk: { kty: 'OKP', crv: 'Ed25519', x: 'bad', d: 'bad' } }];
  now = s(1300);
  assert.equal((await ring.signingKey()).kid, 'b');
  assert.ok(await ring.verificationKey('b'));
  assert.ok(Object.isFrozen(await ring.publicKeySet()));
});

test('key ring reload: the public ring reloads too; a first load that fails throws and is tried again', async () => {
  const [a, b] = await Promise.all([generateStoredKey('a'), generateStoredKey('b')]);
  let now = s(0);
  let jwks = publicJwksOf([a]);
  let fail = true;
  const ring = new PublicKeyRing(
    async () => {
      if (fail) throw new Error('throttled');
      return jwks;
    },
    { ttlSeconds: 60, now: () => now },
  );
  await assert.rejects(ring.publicJwks(), /throttled/);
  fail = false;
  assert.deepEqual(
    (await ring.publicJwks()).keys.map((k) => k.kid),
    ['a'],
  );
  jwks = publicJwksOf([a, b]);
  assert.equal(await ring.verificationKey('b'), undefined);
  now = s(60);
  assert.ok(await ring.verificationKey('b'));
  assert.ok((await ring.publicJwks()).keys.every((k) => !('d' in k)));
});
