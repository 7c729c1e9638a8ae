/**
 * The access-token signature port's contract (`access-token-signature-contract.ts`) on its adapter,
 * aws-jwt-verify (the authorizer and every function with an authenticated route).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE } from '../../shared/adapters/jwt/aws-jwt-verify-signature.js';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';
import { register } from '../../shared/flows/registration.js';
import { checkAccessToken } from '../../shared/flows/token-check.js';
import { memoryDeps } from '../support/memory.js';
import { accessTokenSignatureContract } from './access-token-signature-contract.js';

accessTokenSignatureContract('aws-jwt-verify', AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE);

test('checkAccessToken without a composed signature adapter answers 503, never a pass and never a 401', async () => {
  const deps = await memoryDeps({ AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false' });
  const result = await register(deps, { email: 'no-adapter@example.com', password: 'correct horse battery staple' }, { ip: null, userAgent: null });
  const token = (result as { tokens: { accessToken: string } }).tokens.accessToken;
  assert.equal((await checkAccessToken(deps, token)).userId, (result as { tokens: { user: { id: string } } }).tokens.user.id);
  deps.accessTokenSignature = undefined;
  await assert.rejects(checkAccessToken(deps, token), (e: unknown) => e instanceof ServiceUnavailableError);
});
