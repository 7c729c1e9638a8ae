import { AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE } from '../adapters/jwt/aws-jwt-verify-signature.js';
import { checkAccessToken } from '../flows/token-check.js';
import type { Composition } from '../runtime/lambda-deps.js';
import type { TokenCheck } from './function.js';

/**
 * The access-token check for `httpFunction`'s options: the entries of the functions with an
 * authenticated route pass it (the compiler demands it there, from the route table), so the
 * check is bundled only where a token is checked. The signature is verified with aws-jwt-verify,
 * as in the authorizer (`functions/authorizer.ts`). Measured (bench row 5): jose's WebCrypto verify
 * cost 311 µs of CPU per check against 184 µs, and its p99 wall 1.5 ms against 0.3 ms; it saved
 * only about 11 KB in the functions that also sign with jose.
 */
export const WITH_TOKEN_CHECK: { tokenCheck: TokenCheck } & Composition = {
  tokenCheck: checkAccessToken,
  accessTokenSignature: AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE,
};
