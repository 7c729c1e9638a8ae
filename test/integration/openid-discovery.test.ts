/**
 * The OpenID configuration as a standard client reads it: openid-client's `discovery()` against
 * the local stack accepts it (issuer matches), every URL it advertises answers (no 404), it
 * advertises no grant, response type or ID-token algorithm Latch does not implement, and the
 * discovered JWKS verifies a real access token.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { signedInUser } from '../support/accounts.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;
before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

/** Every URL-valued member of the metadata (endpoints, jwks_uri, documentation, ...). */
function advertisedUrls(metadata: Record<string, unknown>): Array<[string, string]> {
  return Object.entries(metadata).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string' && /^https?:\/\//.test(entry[1]) && entry[0] !== 'issuer',
  );
}

test('openid-client discovers the configuration and every URL it advertises answers', async () => {
  // The local stack speaks plain HTTP; openid-client refuses it unless told.
  const config = await client.discovery(new URL(api.url), 'any-client', undefined, undefined, { execute: [client.allowInsecureRequests] });
  const metadata = config.serverMetadata() as unknown as Record<string, unknown>;
  assert.equal(metadata.issuer, api.url);
  const urls = advertisedUrls(metadata);
  assert.ok(urls.some(([name]) => name === 'jwks_uri'));
  for (const [name, url] of urls) {
    const response = await fetch(url);
    assert.notEqual(response.status, 404, `${name} ${url} is advertised but missing`);
    assert.ok(response.status < 500, `${name} ${url}: ${response.status}`);
  }
});

test('it advertises nothing Latch does not implement (no grants, response types or ID tokens without their endpoints)', async () => {
  const config = await client.discovery(new URL(api.url), 'any-client', undefined, undefined, { execute: [client.allowInsecureRequests] });
  const metadata = config.serverMetadata() as unknown as Record<string, unknown>;
  // No authorization endpoint: no response types. No token endpoint: no grants, no client authentication.
  if (metadata.response_types_supported !== undefined) assert.ok(metadata.authorization_endpoint, 'response types without an authorization endpoint');
  if (metadata.grant_types_supported !== undefined) assert.ok(metadata.token_endpoint, 'grant types without a token endpoint');
  if (metadata.token_endpoint_auth_methods_supported !== undefined) assert.ok(metadata.token_endpoint, 'client authentication without a token endpoint');
  // Latch issues no ID tokens.
  assert.equal(metadata.id_token_signing_alg_values_supported, undefined);
  assert.equal(metadata.userinfo_endpoint, undefined);
});

test('the discovered JWKS verifies an access token Latch issued, for the discovered issuer', async () => {
  const { accessToken, userId } = await signedInUser(api, { label: 'oidc' });
  const config = await client.discovery(new URL(api.url), 'any-client', undefined, undefined, { execute: [client.allowInsecureRequests] });
  const { issuer, jwks_uri } = config.serverMetadata();
  assert.ok(jwks_uri);
  const { payload } = await jwtVerify(accessToken, createRemoteJWKSet(new URL(jwks_uri)), { issuer, algorithms: ['EdDSA'] });
  assert.equal(payload.sub, userId);
});
