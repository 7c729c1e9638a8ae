import { JOSE_ACCESS_TOKEN_SIGNATURE } from '../adapters/jwt/jose-signature.js';
import { checkAccessToken } from '../flows/token-check.js';
import type { Composition } from '../runtime/lambda-deps.js';
import type { TokenCheck } from './function.js';

/**
 * The access-token check for `httpFunction`'s options: the entries of the functions with an
 * authenticated route pass it (the compiler demands it there, from the route table), so the
 * check is bundled only where a token is checked. The signature is verified with jose
 * (`shared/adapters/jwt/jose-signature.ts`), which these functions carry already; only the
 * authorizer verifies with aws-jwt-verify (`functions/authorizer.ts`).
 */
export const WITH_TOKEN_CHECK: { tokenCheck: TokenCheck } & Composition = { tokenCheck: checkAccessToken, accessTokenSignature: JOSE_ACCESS_TOKEN_SIGNATURE };
