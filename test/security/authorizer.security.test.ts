import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { before, describe, test } from 'node:test';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { register } from '../../shared/flows/registration.js';
import type { TokenPair } from '../../shared/flows/token-pair.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

let deps: MemoryDeps;
let authorize: (event: unknown) => Promise<unknown>;

before(async () => {
  deps = await memoryDeps({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
  useDeps(deps);
  ({ handler: authorize } = (await import('../../functions/authorizer.js')) as { handler: (event: unknown) => Promise<unknown> });
});

let n = 0;
async function signedIn(): Promise<TokenPair> {
  n += 1;
  const result = await register(deps, { email: `authz-${n}@example.com`, password: 'correct horse battery staple' }, { ip: null, userAgent: null });
  assert.equal(result.kind, 'signedIn');
  return (result as { tokens: TokenPair }).tokens;
}

const httpEvent = (token: string) => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/$default/GET/hello',
  identitySource: [`Bearer ${token}`],
  routeKey: 'GET /hello',
  rawPath: '/hello',
  rawQueryString: '',
  headers: { authorization: `Bearer ${token}` },
  requestContext: { http: { method: 'GET', path: '/hello', sourceIp: '198.51.100.7' } },
});
const restRequestEvent = (token: string) => ({
  type: 'REQUEST',
  methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/hello',
  resource: '/hello',
  path: '/hello',
  httpMethod: 'GET',
  headers: { Authorization: `Bearer ${token}` },
});
const restTokenEvent = (token: string) => ({
  type: 'TOKEN',
  authorizationToken: `Bearer ${token}`,
  methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/GET/hello',
});

async function allowsHttp(token: string): Promise<boolean> {
  const result = (await authorize(httpEvent(token))) as { isAuthorized: boolean };
  return result.isAuthorized;
}

/** Signs a token like Latch does, but lets a test change any part of it. */
async function forge(claims: Record<string, unknown>, options: { kid?: string; key?: CryptoKey; alg?: string; typ?: string } = {}): Promise<string> {
  const signing = await deps.keys.signingKey();
  const now = Math.floor(deps.clock.now() / 1000);
  return new SignJWT({ iss: deps.config.issuer, aud: deps.config.audience, iat: now, exp: now + 900, jti: crypto.randomUUID(), role: 'user', ...claims })
    .setProtectedHeader({ alg: options.alg ?? 'EdDSA', kid: options.kid ?? signing.kid, typ: options.typ ?? 'at+jwt' })
    .sign(options.key ?? signing.key);
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('authorizer event shapes', () => {
  test('HTTP API payload 2.0: a valid token is allowed with the user context', async () => {
    const tokens = await signedIn();
    const result = (await authorize(httpEvent(tokens.accessToken))) as { isAuthorized: boolean; context: Record<string, string | number> };
    assert.equal(result.isAuthorized, true);
    const claims = decodeJwt(tokens.accessToken);
    assert.deepEqual(result.context, {
      userId: claims.sub,
      sessionId: claims.sid,
      role: 'user',
      email: tokens.user.email,
      amr: 'pwd',
      authTime: claims.auth_time,
      aal: 'aal1',
    });
  });

  test('REST REQUEST and TOKEN: an Allow policy with a wildcard resource and the context', async () => {
    const tokens = await signedIn();
    for (const event of [restRequestEvent(tokens.accessToken), restTokenEvent(tokens.accessToken)]) {
      const result = (await authorize(event)) as APIGatewayAuthorizerResult;
      const statement = result.policyDocument.Statement[0] as { Effect: string; Resource: string; Action: string };
      assert.equal(statement.Effect, 'Allow');
      assert.equal(statement.Action, 'execute-api:Invoke');
      assert.equal(statement.Resource, 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/*');
      assert.equal(result.principalId, tokens.user.id);
      assert.equal(result.context?.userId, tokens.user.id);
    }
  });

  test('REST events with a bad token get a Deny policy, and never a throw', async () => {
    for (const event of [restRequestEvent('nope'), restTokenEvent('nope'), { type: 'TOKEN', methodArn: 'arn:x/prod/GET/a' }]) {
      const result = (await authorize(event)) as APIGatewayAuthorizerResult;
      assert.equal((result.policyDocument.Statement[0] as { Effect: string }).Effect, 'Deny');
      assert.equal(result.context, undefined);
    }
  });

  test('unknown event shapes are denied without throwing', async () => {
    for (const event of [null, undefined, 'string', 42, {}, { version: '1.0' }, { headers: {} }, { version: '2.0' }]) {
      const result = (await authorize(event)) as { isAuthorized?: boolean };
      assert.equal(result.isAuthorized, false);
    }
  });
});

describe('authorizer attacks: every one denies, none throws', () => {
  test('alg none is refused', async () => {
    const tokens = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    assert.equal(await allowsHttp(unsigned), false);
  });

  test('HS256 signed with the public key (algorithm confusion) is refused', async () => {
    const tokens = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    const jwks = await deps.keys.publicJwks();
    const publicKey = jwks.keys[0];
    for (const secret of [JSON.stringify(publicKey), String(publicKey?.x)]) {
      const head = `${b64({ alg: 'HS256', kid: publicKey?.kid })}.${b64(claims)}`;
      const signature = createHmac('sha256', secret).update(head).digest('base64url');
      assert.equal(await allowsHttp(`${head}.${signature}`), false);
    }
  });

  test('an unknown kid and kids with path or SQL-like junk are refused', async () => {
    const tokens = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    for (const kid of ['unknown', '../../../../etc/passwd', "' OR '1'='1", '$' + '{jndi:ldap://x}', 'x'.repeat(5000)]) {
      assert.equal(await allowsHttp(await forge({ sub: claims.sub, sid: claims.sid, jti: claims.jti }, { kid })), false, kid.slice(0, 30));
    }
  });

  test('a signature from a key that was never in the JWKS is refused, even with a known kid', async () => {
    const tokens = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    assert.equal(await allowsHttp(await forge({ sub: claims.sub, sid: claims.sid, jti: claims.jti }, { key: privateKey as CryptoKey })), false);
    const rsa = await generateKeyPair('RS256');
    assert.ok(await exportJWK(rsa.publicKey));
    assert.equal(
      await allowsHttp(await forge({ sub: claims.sub, sid: claims.sid, jti: claims.jti }, { key: rsa.privateKey as CryptoKey, alg: 'RS256' })),
      false,
    );
  });

  test('expired and not-yet-valid tokens are refused (beyond 2 s of skew)', async () => {
    const tokens = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    const now = Math.floor(deps.clock.now() / 1000);
    const base = { sub: claims.sub, sid: claims.sid, jti: claims.jti };
    assert.equal(await allowsHttp(await forge({ ...base, exp: now - 3 })), false);
    assert.equal(await allowsHttp(await forge({ ...base, nbf: now + 60 })), false);
    assert.equal(await allowsHttp(await forge({ ...base, iat: now + 60 })), false);
  });

  test('wrong iss or aud is refused', async () => {
    const tokens = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    const base = { sub: claims.sub, sid: claims.sid, jti: claims.jti };
    assert.equal(await allowsHttp(await forge({ ...base, iss: 'https://evil.example' })), false);
    assert.equal(await allowsHttp(await forge({ ...base, aud: 'another-service' })), false);
    assert.equal(await allowsHttp(await forge({ ...base })), true, 'the forge helper itself makes valid tokens');
  });

  test('a token missing sid, or naming another session or an old jti, is refused', async () => {
    const tokens = await signedIn();
    const other = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    assert.equal(await allowsHttp(await forge({ sub: claims.sub, jti: claims.jti })), false);
    assert.equal(await allowsHttp(await forge({ sub: claims.sub, sid: decodeJwt(other.accessToken).sid, jti: claims.jti })), false);
    assert.equal(await allowsHttp(await forge({ sub: claims.sub, sid: claims.sid, jti: crypto.randomUUID() })), false);
  });

  test('truncated and oversized tokens are refused', async () => {
    const tokens = await signedIn();
    assert.equal(await allowsHttp(tokens.accessToken.slice(0, -5)), false);
    assert.equal(await allowsHttp(tokens.accessToken.split('.').slice(0, 2).join('.')), false);
    assert.equal(await allowsHttp(`${tokens.accessToken}${'A'.repeat(5000)}`), false);
    assert.equal(await allowsHttp(''), false);
  });

  test('a valid token of a signed-out session or a deleted user is refused on the next call', async () => {
    const tokens = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    assert.equal(await allowsHttp(tokens.accessToken), true);
    await deps.store.commit([{ type: 'deleteSession', userId: String(claims.sub), id: String(claims.sid) }]);
    assert.equal(await allowsHttp(tokens.accessToken), false);

    const second = await signedIn();
    const user = await deps.store.getUser(second.user.id);
    assert.ok(user);
    const sessions = await deps.store.listSessions(user.id);
    await deps.store.commit([
      { type: 'deleteUser', id: user.id, emailCanonical: user.emailCanonical },
      ...sessions.map((s) => ({ type: 'deleteSession' as const, userId: user.id, id: s.id })),
    ]);
    assert.equal(await allowsHttp(second.accessToken), false);
  });

  test('an expired session is refused even if its item still exists (expiry is checked on read)', async () => {
    const tokens = await signedIn();
    const claims = decodeJwt(tokens.accessToken);
    const session = await deps.store.getSession(String(claims.sub), String(claims.sid));
    assert.ok(session);
    deps.clock.advance(deps.config.sessionTtlSeconds + 1);
    try {
      // The JWT itself has expired long before; forge a fresh one for the same session to isolate the session check.
      assert.equal(await allowsHttp(await forge({ sub: claims.sub, sid: claims.sid, jti: claims.jti })), false);
    } finally {
      deps.clock.advance(-(deps.config.sessionTtlSeconds + 1));
    }
  });
});
