import { commonPasswordsFile, lazyCommonPasswords } from '../adapters/breached-passwords/common.js';
import { breachedPasswordsFile, lazyBreachedPasswords } from '../adapters/breached-passwords/file.js';
import { dataKeysOf, NO_DATA_KEYS } from '../adapters/crypto/data-keys.js';
import { DynamoDbAuditLog } from '../adapters/dynamodb/audit-log.js';
import { DynamoDbCounters } from '../adapters/dynamodb/counters.js';
import { MFA_WRITE_PLANS } from '../adapters/dynamodb/write-plan-mfa.js';
import { OAUTH_WRITE_PLANS } from '../adapters/dynamodb/write-plan-oauth.js';
import { OAUTH2_WRITE_PLANS } from '../adapters/dynamodb/write-plan-oauth2.js';
import { PASSKEYS_WRITE_PLANS } from '../adapters/dynamodb/write-plan-passkeys.js';
import { lazyOAuthProviders } from '../adapters/oidc/lazy.js';
import { legacyPasswordsOf } from '../adapters/secrets/import-peppers.js';
import { parseOAuthProviders } from '../domain/oauth.js';
import { parseUiClients } from '../domain/oauth2.js';
import { checkLogoUrl, checkTheme } from '../ui/theme.js';
import type { Composition } from './lambda-deps.js';

/**
 * The optional adapters a function's entry passes to `httpFunction` (see `Composition` in
 * `lambda-deps.ts`): importing one of these is what puts its packages into that bundle.
 */

/**
 * Social sign-in's providers (`AUTH_OAUTH_PROVIDERS`, parsed and checked at cold start) and their
 * relying party (openid-client), composed only when providers are configured: `oauth` and `ui`.
 */
export const WITH_OAUTH: Composition = {
  oauthProviders: parseOAuthProviders,
  oauth: (config, options) =>
    config.oauthProviders.length > 0 ? lazyOAuthProviders(config.oauthProviders, { timeoutMs: config.oauthHttpTimeoutMs, ...options }) : undefined,
};

/**
 * Imported password hashes (bcryptjs, the pepper secret): the functions whose flows verify an
 * imported hash at sign-in (`shared/flows/legacy-passwords.ts`: `session` and `ui`). The CLI's
 * import composes its own (`shared/cli/target.ts`).
 */
export const WITH_LEGACY_PASSWORDS: Composition = { legacy: legacyPasswordsOf };

// --- lean2 (issue 17, row 6): write plans beyond the core ones, where a function's flows write those ops ---
// `test/infra/bundles.test.ts` derives from each bundle's flows the ops they write and fails
// when a family is missing (or composed where no flow writes its ops).

/** TOTP enrolment and the second step of a sign-in (TOTP pending items, MFA challenges). */
export const WITH_MFA_WRITES: Composition = { mfaWrites: MFA_WRITE_PLANS };
/** WebAuthn challenges and passkeys. */
export const WITH_PASSKEY_WRITES: Composition = { passkeyWrites: PASSKEYS_WRITE_PLANS };
/** Social sign-in's flow items and linked identities (also deleted with an account). */
export const WITH_OAUTH_WRITES: Composition = { oauthWrites: OAUTH_WRITE_PLANS };
/** The hosted UI hand-off's authorization codes. */
export const WITH_OAUTH2_WRITES: Composition = { oauth2Writes: OAUTH2_WRITE_PLANS };

/** The audit table's reader: the functions whose routes read it (`shared/flows/audit-queries.ts`). Only `audit` is granted `Query` by IAM. */
export const WITH_AUDIT_LOG: Composition = { auditLog: (documents, auditTableName) => new DynamoDbAuditLog(documents, auditTableName) };
/** The data-key ring of TOTP secrets (`LATCH_DATA_KEY_SECRET` / `LATCH_DATA_KEYS`; unset: a 503 when used). */
export const WITH_DATA_KEYS: Composition = { dataKeys: (env) => dataKeysOf(env) ?? NO_DATA_KEYS };
/** The failure and attempt counters (lockout, sign-in limits, mail caps): the functions whose flows count. */
export const WITH_COUNTERS: Composition = { counters: (documents, tableName) => new DynamoDbCounters(documents, tableName) };
// --- end lean2 ---

// --- lean3 (issue 17, row 6): configuration sections (`ConfigSections` in shared/config.ts) ---
// Only the functions that read them parse and check these settings; `test/infra/bundles.test.ts`
// checks each bundle carries a section's parser exactly where its code reads the section.

/** The hand-off's first-party clients (`AUTH_UI_CLIENTS`): the pages and the token endpoint. */
export const WITH_UI_CLIENTS: Composition = { uiClients: parseUiClients };
/**
 * The breached and common password lists (`shared/flows/password-policy.ts`,
 * `shared/flows/breached-sign-in.ts`): the functions that set or check passwords, exactly those
 * the construct ships the lists beside (`argon2` in `infra/constructs/function-access.ts`). Read
 * on the first check; where the deployment sets `LATCH_BREACHED_PASSWORDS_FILE` the breached
 * list is read at cold start, so a missing file fails there.
 */
export const WITH_PASSWORD_LISTS: Composition = {
  passwordLists: (env) => ({ breached: lazyBreachedPasswords(breachedPasswordsFile(env)), commonPasswords: lazyCommonPasswords(commonPasswordsFile(env)) }),
};
/** The pages' branding (`AUTH_UI_LOGO_URL`, `AUTH_UI_CSS_VARIABLES`): the `ui` function. */
export const WITH_UI_THEME: Composition = { uiTheme: { checkTheme, checkLogoUrl } };
// The key ring's composition, `WITH_KEYS`, is in `key-ring-of.ts`: importing this module would add its
// adapters' module code to bundles that compose nothing else (renewal, well-known, sessions).
// --- end lean3 ---
