import { lazyOAuthProviders } from '../adapters/oidc/lazy.js';
import { legacyPasswordsOf } from '../adapters/secrets/import-peppers.js';
import type { Composition } from './lambda-deps.js';

/**
 * The optional adapters a function's entry passes to `httpFunction` (see `Composition` in
 * `lambda-deps.ts`): importing one of these is what puts its packages into that bundle.
 */

/** Social sign-in's relying party (openid-client): the `oauth` function. */
export const WITH_OAUTH: Composition = { oauth: lazyOAuthProviders };

/**
 * Imported password hashes (bcryptjs, the pepper secret): the functions whose flows verify an
 * imported hash at sign-in (`shared/flows/legacy-passwords.ts`: `session` and `ui`). The CLI's
 * import composes its own (`shared/cli/target.ts`).
 */
export const WITH_LEGACY_PASSWORDS: Composition = { legacy: legacyPasswordsOf };
