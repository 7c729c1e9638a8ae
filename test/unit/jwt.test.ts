import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { SignJWT, decodeProtectedHeader, generateKeyPair, jwtVerify } from 'jose';
import { JwtRejectedError, signEdDsaJwt, verifyEdDsaJwt } from '../../shared/adapters/crypto/jwt.js';

// The attacks through the authorizer are in test/security/authorizer.security.test.ts; these are
// the verifier's own edges.

let privateKey: CryptoKey;
let publicKey: CryptoKey;
const now = 1_800_000_000;
const expect = { issuer: 'https://auth.test', audience: 'latch', clockToleranceSeconds: 2, nowSeconds: now, requiredClaims: ['sub', 'iat', 'exp'] };
const keyFor = async (kid: string) => (kid === 'k1' ? publicKey : undefined);

before(async () => {
  ({ privateKey, publicKey } = (await generateKeyPair('EdDSA', { crv: 'Ed25519' })) as { privateKey: CryptoKey; publicKey: CryptoKey });
});

function sign(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ iss: expect.issuer, aud: expect.audience, sub: 'u1', iat: now, exp: now + 900, ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', ...header })
    .sign(privateKey);
}

const rejects = (token: string) => assert.rejects(verifyEdDsaJwt(token, keyFor, expect), JwtRejectedError);

test('a valid token gives its claims; aud may be an array that contains the audience', async () => {
  assert.equal((await verifyEdDsaJwt(await sign({}), keyFor, expect)).sub, 'u1');
  assert.equal((await verifyEdDsaJwt(await sign({ aud: ['other', 'latch'] }), keyFor, expect)).sub, 'u1');
  await rejects(await sign({ aud: ['other'] }));
});

test('a crit header, a missing kid or required claim, and non-numeric times are refused', async () => {
  await rejects(await sign({}, { crit: ['b64'], b64: true }));
  await rejects(await sign({}, { kid: undefined }));
  await rejects(await sign({ sub: undefined }));
  await rejects(await sign({ exp: String(now + 900) }));
  await rejects(await sign({ nbf: 'now' }));
  await rejects(await sign({ iat: 'now' }));
});

test('expiry and not-before honour the tolerance exactly', async () => {
  assert.ok(await verifyEdDsaJwt(await sign({ exp: now - 1 }), keyFor, expect));
  await rejects(await sign({ exp: now - 2 }));
  assert.ok(await verifyEdDsaJwt(await sign({ nbf: now + 2 }), keyFor, expect));
  await rejects(await sign({ nbf: now + 3 }));
});

test('a payload swapped under a valid signature, junk characters and padding are refused', async () => {
  const [head, , signature] = (await sign({})).split('.') as [string, string, string];
  const otherBody = (await sign({ sub: 'admin' })).split('.')[1];
  await rejects(`${head}.${otherBody}.${signature}`);
  const token = await sign({});
  await rejects(`${token}=`);
  await rejects(` ${token}`);
  await rejects(token.replace('.', '.!'));
  await rejects(`${token}.x`);
  await rejects(`${head}.${Buffer.from('[]').toString('base64url')}.${signature}`);
});

test('an outage of the key ring is not a rejection: it passes through', async () => {
  const outage = new Error('Secrets Manager throttled');
  await assert.rejects(
    verifyEdDsaJwt(await sign({}), async () => {
      throw outage;
    }, expect),
    (error) => error === outage,
  );
});

test('signEdDsaJwt makes standard tokens: jose verifies them, and the header is EdDSA with kid and typ', async () => {
  const token = signEdDsaJwt({ kid: 'k1', typ: 'at+jwt' }, { iss: expect.issuer, aud: expect.audience, sub: 'u1', iat: now, exp: now + 900 }, privateKey);
  const { payload } = await jwtVerify(token, publicKey, { issuer: expect.issuer, audience: expect.audience, currentDate: new Date(now * 1000) });
  assert.equal(payload.sub, 'u1');
  assert.deepEqual(decodeProtectedHeader(token), { alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' });
  assert.equal((await verifyEdDsaJwt(token, keyFor, expect)).sub, 'u1');
  assert.throws(() => signEdDsaJwt({ kid: 'k1' }, {}, publicKey));
});
