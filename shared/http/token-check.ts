import { checkAccessToken } from '../flows/token-check.js';
import type { TokenCheck } from './function.js';

/**
 * The access-token check for `httpFunction`'s options: the entries of the functions with an
 * authenticated route pass it (the compiler demands it there, from the route table), so
 * aws-jwt-verify is bundled only where a token is checked.
 */
export const WITH_TOKEN_CHECK: { tokenCheck: TokenCheck } = { tokenCheck: checkAccessToken };
