import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { before, describe, test } from 'node:test';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { generateStoredKey, StaticKeyRing, type StoredKey } from '../../shared/adapters/crypto/key-ring.js';
import { AuthError } from '../../shared/domain/errors.js';
import { register } from '../../shared/flows/registration.js';
import { verifyAccessToken } from '../../shared/flows/token-check.js';
import type { AccessTokenSignature } from '../../shared/ports/access-token-signature.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

/**
 * The behaviour every {@link AccessTokenSignature} adapter must have, through the one token check
 * that uses it (`verifyAccessToken`): any adapter accepts exactly the same tokens and refuses
 * every other one with the same `unauthorized` (run on aws-jwt-verify; a jose adapter passed it
 * too before it was dropped for its CPU cost, `docs/architecture.md`).
 */
export function accessTokenSignatureContract(name: string, signature: AccessTokenSignature): void {
  describe(`AccessTokenSignature contract: ${name}`, () => {
    let deps: MemoryDeps;
    let first: StoredKey;
    let n = 0;

    before(async () => {
      deps = await memoryDeps({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
      first = { ...(await generateStoredKey('contract-1')), status: 'current' };
      deps.keys = new StaticKeyRing([first]);
    });

    /** A real session and its access token (the claims a forged token reuses, so only the tested part differs). */
    async function session(): Promise<{ token: string; claims: Record<string, unknown> }> {
      n += 1;
      const result = await register(
        deps,
        { email: `sig-${name.length}-${n}@example.com`, password: 'correct horse battery staple' },
        { ip: null, userAgent: null },
      );
      assert.equal(result.kind, 'signedIn');
      const token = (result as { tokens: { accessToken: string } }).tokens.accessToken;
      return { token, claims: decodeJwt(token) as Record<string, unknown> };
    }

    /** Signs like Latch does (the current key, `at+jwt`), with any part changed. */
    async function forge(claims: Record<string, unknown>, header: { alg?: string; kid?: string; typ?: string } = {}, key?: CryptoKey): Promise<string> {
      const signing = await deps.keys.signingKey();
      return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: signing.kid, typ: 'at+jwt', ...header }).sign(key ?? signing.key);
    }

    const check = (token: string) => verifyAccessToken(signature, deps, token);
    const refused = (token: string, why: string) =>
      assert.rejects(check(token), (e: unknown) => e instanceof AuthError && e.code === 'unauthorized', `${name}: ${why} must be refused`);
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

    test('a valid token is accepted, and the signature alone returns its claims', async () => {
      const { token, claims } = await session();
      const principal = await check(token);
      assert.equal(principal.userId, claims.sub);
      assert.equal(principal.sessionId, claims.sid);
      const verified = await signature.verify(token, await deps.keys.publicKeySet(), Math.floor(deps.clock.now() / 1000), 2);
      assert.deepEqual(verified.payload, claims);
      assert.equal(verified.header.alg, 'EdDSA');
      assert.equal(verified.header.typ, 'at+jwt');
      // The forge helper itself makes valid tokens: every refusal below is about the one part changed.
      assert.equal((await check(await forge(claims))).userId, claims.sub);
    });

    test('a tampered payload or signature is refused', async () => {
      const { token, claims } = await session();
      const [head, , sig] = token.split('.') as [string, string, string];
      await refused(`${head}.${b64({ ...claims, role: 'admin' })}.${sig}`, 'a tampered payload');
      const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
      await refused(`${head}.${token.split('.')[1]}.${flipped}`, 'a tampered signature');
      await refused(`${head}.${token.split('.')[1]}.`, 'an empty signature');
      await refused(token.split('.').slice(0, 2).join('.'), 'a token without its signature part');
    });

    test('alg none and HS256 signed with the public key (algorithm confusion) are refused', async () => {
      const { claims } = await session();
      const kid = (await deps.keys.signingKey()).kid;
      await refused(`${b64({ alg: 'none', typ: 'at+jwt', kid })}.${b64(claims)}.`, 'alg none');
      const jwk = (await deps.keys.publicJwks()).keys[0];
      for (const secret of [JSON.stringify(jwk), String(jwk?.x), Buffer.from(String(jwk?.x), 'base64url').toString('latin1')]) {
        const head = `${b64({ alg: 'HS256', typ: 'at+jwt', kid })}.${b64(claims)}`;
        await refused(`${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`, 'HS256 with the public key');
      }
      // EdDSA in the header but another key type behind it: an RSA signature under the ring's kid.
      const rsa = await generateKeyPair('RS256');
      await refused(await forge(claims, { alg: 'RS256' }, rsa.privateKey as CryptoKey), 'RS256 under the ring kid');
    });

    test('an unknown kid, a missing kid, and a key that was never in the ring are refused', async () => {
      const { claims } = await session();
      for (const kid of ['unknown', '../../etc/passwd', 'x'.repeat(300)]) await refused(await forge(claims, { kid }), `kid ${kid.slice(0, 20)}`);
      const signing = await deps.keys.signingKey();
      const noKid = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt' }).sign(signing.key);
      await refused(noKid, 'no kid');
      const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      await refused(await forge(claims, {}, stranger.privateKey as CryptoKey), 'a key never in the ring, under a known kid');
    });

    test('key ring rotation: a previous key verifies until it is retired, then its tokens are refused', async () => {
      const { token, claims } = await session();
      const second = { ...(await generateStoredKey('contract-2')), status: 'current' as const };
      deps.keys = new StaticKeyRing([second, { ...first, status: 'previous' }]);
      assert.equal((await check(token)).userId, claims.sub, 'a token of the previous key still verifies');
      const fresh = await forge(claims);
      assert.equal(decodeJwt(fresh).sub, claims.sub);
      deps.keys = new StaticKeyRing([second]);
      await refused(token, 'a token of a retired key');
      assert.equal((await check(fresh)).userId, claims.sub);
      // Back to the first ring for the other tests.
      first = { ...(await generateStoredKey('contract-3')), status: 'current' };
      deps.keys = new StaticKeyRing([first]);
    });

    test('expired and not-yet-valid tokens are refused beyond 2 s of skew, accepted within it', async () => {
      const { claims } = await session();
      const now = Math.floor(deps.clock.now() / 1000);
      await refused(await forge({ ...claims, exp: now - 3 }), 'expired');
      await refused(await forge({ ...claims, exp: now - 2 }), 'expired at the skew');
      assert.ok(await check(await forge({ ...claims, exp: now - 1 })));
      await refused(await forge({ ...claims, nbf: now + 3 }), 'not yet valid');
      assert.ok(await check(await forge({ ...claims, nbf: now + 2 })));
      await refused(await forge({ ...claims, iat: now + 60 }), 'issued in the future');
      // The deps' clock decides, not the machine's: a token valid by the machine's time is expired by the clock.
      deps.clock.advance(3600);
      await refused(await forge({ ...claims, exp: now + 900 }), 'expired by the deps clock');
      deps.clock.advance(-3600);
    });

    test('wrong iss, aud or typ are refused', async () => {
      const { claims } = await session();
      await refused(await forge({ ...claims, iss: 'https://evil.example' }), 'another iss');
      await refused(await forge({ ...claims, aud: 'another-service' }), 'another aud');
      await refused(await forge({ ...claims, aud: [deps.config.audience, 'another-service'] }), 'an aud list');
      const { iss: _iss, ...noIss } = claims;
      await refused(await forge(noIss), 'no iss');
      await refused(await forge(claims, { typ: 'JWT' }), 'typ JWT');
      const signing = await deps.keys.signingKey();
      await refused(await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: signing.kid }).sign(signing.key), 'no typ');
    });
  });
}
