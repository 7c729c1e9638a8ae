import { type FunctionName, type RouteDefinition, routeKey, routes as routeTable } from '../../shared/http/routes.js';

/**
 * How much of the table a function may touch. The actions are exactly the ones the DynamoDB
 * adapter (`shared/adapters/dynamodb/store.ts`) sends; `TransactWriteItems` has no IAM action of
 * its own and is authorized per item as Put/Update/Delete/ConditionCheck.
 * - `none`: no table access.
 * - `get`: `GetItem` only (the token check and reading one user: consistent reads by key).
 * - `read`: `GetItem` and `Query` (table and the users index).
 * - `readWrite`: `read` plus the item writes of a transaction.
 * - `renew`: what a renewal sends (`renewSession`, `shared/flows/current-session.ts`): reads by
 *   key and a Query of the user's own partition (the user with its sequence item; not the users
 *   index), the session's conditional `UpdateItem`, and its `DeleteItem` when a spent renewal
 *   token comes back (a transaction with the audit event's put). No `PutItem`, no
 *   `ConditionCheckItem`: a renewal creates nothing.
 */
export type TableAccess = 'none' | 'get' | 'read' | 'readWrite' | 'renew';

/**
 * What a function may do on the audit table (`shared/adapters/dynamodb/audit-table.ts`), which
 * is append-only by IAM (`docs/specs/audit-and-breached-passwords.md` §2): no level grants
 * `UpdateItem`, `DeleteItem` or `BatchWriteItem`, so the only deletion is TTL.
 * - `none`: no audit table, no audit key.
 * - `append`: `PutItem` on the table (what an event's `Put` inside `TransactWriteItems` needs,
 *   and `recordAudit`'s lone event), and the audit key (`emailHash`).
 * - `query`: `append` plus `Query` on the table and its two indexes (reading the audit log), and
 *   reading items by key on the table (`GetItem`, `BatchGetItem`): the indexes project keys only,
 *   so a page read through one is fetched from the table (`shared/adapters/dynamodb/audit-log.ts`).
 */
export type AuditAccess = 'none' | 'append' | 'query';

/** Which half of the signing key ring a function may read. */
export type KeyAccess = 'none' | 'verify' | 'sign';

/**
 * IAM actions of each {@link TableAccess} level on the table itself. `BatchGetItem` reads what
 * `GetItem` may (the adapter's read batcher, `shared/adapters/dynamodb/read-batch.ts`, sends reads
 * asked for together as one batch).
 */
export const TABLE_ACTIONS: Record<TableAccess, readonly string[]> = {
  none: [],
  get: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
  renew: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
};

/** The levels that query the users index (the index ARN is in their grant); `renew` queries only the table. */
export const USERS_INDEX_ACCESS: ReadonlySet<TableAccess> = new Set(['read', 'readWrite']);

/** The levels that write items (customer managed key: encrypt and decrypt; the others decrypt only). */
export const TABLE_WRITE_ACCESS: ReadonlySet<TableAccess> = new Set(['readWrite', 'renew']);

/** IAM actions of each {@link AuditAccess} level on the audit table (`Query` also on its indexes). */
export const AUDIT_ACTIONS: Record<AuditAccess, readonly string[]> = {
  none: [],
  append: ['dynamodb:PutItem'],
  query: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:BatchGetItem'],
};

/** What one function needs, which decides its grants and whether its bundle carries argon2. */
export interface FunctionAccess {
  /**
   * The route keys this decision was made for. The infra tests fail when a function's routes in
   * `shared/http/routes.ts` differ, so a new route cannot silently run with grants decided for
   * fewer (or more) routes: look at what its flow does, then update the entry.
   */
  routes: readonly string[];
  table: TableAccess;
  /**
   * Queues mail into the outbox (as data: the mail sender renders it). No request function may
   * send mail: only the stream-triggered mail sender (`infra/constructs/mail-sender.ts`) gets
   * `ses:SendEmail`.
   */
  mail: boolean;
  /**
   * Which signing key secret the function may read (`secretsmanager:GetSecretValue`): `sign`
   * the private ring (it issues access tokens: `prepareSession`/`signAccessToken`), `verify` the
   * public ring only (it checks tokens or serves the JWKS), `none` neither.
   */
  keys: KeyAccess;
  /**
   * The audit table and key ({@link AuditAccess}): every function that changes state writes its
   * events in the same transaction (`auditOp`), so every `readWrite` function appends; only
   * `audit` queries. Any level but `none` also reads the audit key secret and gets
   * `LATCH_AUDIT_TABLE_NAME` and `LATCH_AUDIT_KEY_SECRET`.
   */
  audit: AuditAccess;
  /** The bundle ships `@node-rs/argon2` and the function gets the memory argon2id wants. */
  argon2: boolean;
  /**
   * Reads the data-key ring (`LATCH_DATA_KEY_SECRET`): only the functions that encrypt or verify
   * TOTP secrets (`docs/specs/mfa-and-passkeys.md` §9). Absent: no access.
   */
  dataKeys?: true;
  /**
   * Lambda memory (MB) when not the default of `LatchFunction` (1,769 with argon2, else 512):
   * set where `npm run bench` row 8 (Lambda Power Tuning's method, modelled from measured CPU)
   * picks another size, the cheapest within 10 % of the fastest.
   */
  memoryMb?: number;
}

/** Latch's functions outside the route table. */
export type InternalFunctionName = 'not-found' | 'authorizer';

/**
 * The grants of every function, from what its flows do today. Only the functions whose flows
 * reach `prepareSession`/`signAccessToken` (`shared/flows/token-pair.ts`) sign (`keys: 'sign'`);
 * the infra tests check this against each function's bundle.
 * - registration: finds the email (its claim item, by key), creates the user and claim, mails the
 *   confirmation or "already registered" notice, signs tokens when confirmation is off (201),
 *   hashes the password.
 * - session: sign-in verifies with argon2 (also against a dummy hash), counts failures, mails the
 *   lockout notice and re-sends confirmations; sign-out deletes the session; signs tokens.
 * - renewal: reads the session and the user, spends the renewal token with one conditional
 *   `UpdateItem` of the session and signs the new access token; a spent token presented again
 *   deletes the session with a `renewal.reuse_detected` event (`renew` level). No argon2, no mail.
 * - account: behind the token check, `/me` reads the user, changes email or password (argon2
 *   verify of the current password, hash of the new one, notice and confirmation mails, revoking
 *   the other sessions) and deletes the account with all its items (a `Query` of its partition).
 *   It issues no tokens: public keys only.
 * - email-confirmation: finds the user by email, consumes the token and swaps emails, re-sends the
 *   mail. No route takes a password or a bearer token.
 * - invitations: inviting is behind the token check and mails; accepting sets a password (argon2)
 *   and answers a token pair.
 * - sessions: behind the token check, lists the caller's sessions (`Query`) and deletes them.
 * - password-reset: finds the user by email, mails the link, sets the new password (argon2) and
 *   revokes every session; it signs no one in, so no signing keys.
 * - well-known: the public half of the signing keys and the OpenAPI document; no table, no mail.
 * - not-found: answers from the route table alone; nothing.
 * - authorizer: the token check only (JWT, then one consistent `GetItem` of the session).
 * - audit: behind the token check (a `GetItem` of the session), reads the audit log; the only
 *   function that may query the audit table. It changes no state, but appends the events of
 *   requests that change nothing (`recordAudit`: refused admin queries, an operator's reads)
 *   and hashes addresses for `?email=` (the audit key): `query` includes `append`.
 * - Every `readWrite` function appends its events to the audit table (`audit: 'append'`); the
 *   authorizer, well-known and not-found change nothing and write no events.
 * - admin-users: the admin routes check tokens, rewrite users and set passwords; they sign no one in.
 *   The MFA reset mails the owner (`mfaReset`).
 */
export const FUNCTION_ACCESS: { readonly [K in FunctionName | InternalFunctionName]: FunctionAccess } = {
  registration: { routes: ['POST /registration'], table: 'readWrite', mail: true, keys: 'sign', audit: 'append', argon2: true },
  session: { routes: ['POST /session', 'DELETE /session'], table: 'readWrite', mail: true, keys: 'sign', audit: 'append', argon2: true },
  // --- cost (issue 17): renewals in a function of their own, sized by row 8 (about 0.5 ms of CPU
  // and 3 round trips: 512 MB is within 10 % of the fastest; near the line, see docs/benchmarks.md) ---
  renewal: { routes: ['POST /session/renew'], table: 'renew', mail: false, keys: 'sign', audit: 'append', argon2: false, memoryMb: 512 },
  // --- end cost ---
  account: {
    routes: ['GET /me', 'PATCH /me', 'DELETE /me', 'DELETE /me/password'],
    table: 'readWrite',
    mail: true,
    keys: 'verify',
    audit: 'append',
    argon2: true,
    // `DELETE /me/password` is a step-up route: a TOTP code of the body is verified (§4, §13).
    dataKeys: true,
  },
  sessions: {
    routes: ['GET /sessions', 'DELETE /sessions', 'DELETE /sessions/{id}'],
    table: 'readWrite',
    mail: false,
    keys: 'verify',
    audit: 'append',
    argon2: false,
  },
  'email-confirmation': {
    routes: ['POST /email-confirmation/resend', 'POST /email-confirmation/{token}'],
    table: 'readWrite',
    mail: true,
    keys: 'none',
    audit: 'append',
    argon2: false,
  },
  invitations: {
    routes: ['POST /invitations', 'GET /invitations/{token}', 'POST /invitations/{token}'],
    table: 'readWrite',
    mail: true,
    keys: 'sign',
    audit: 'append',
    argon2: true,
  },
  'well-known': {
    routes: ['GET /.well-known/jwks.json', 'GET /.well-known/openid-configuration', 'GET /openapi.json'],
    table: 'none',
    mail: false,
    keys: 'verify',
    audit: 'none',
    argon2: false,
  },
  'password-reset': {
    routes: ['POST /password-reset', 'GET /password-reset/{token}', 'POST /password-reset/{token}'],
    table: 'readWrite',
    mail: true,
    keys: 'none',
    audit: 'append',
    argon2: true,
  },
  'admin-users': {
    routes: [
      'GET /admin/users',
      'GET /admin/users/{id}',
      'POST /admin/users',
      'PATCH /admin/users/{id}',
      'PUT /admin/users/{id}/password',
      'POST /admin/users/{id}/lock',
      'POST /admin/users/{id}/unlock',
      'DELETE /admin/users/{id}',
      // mfa2: the MFA reset mails the owner (`mfaReset`) through the outbox.
      'POST /admin/users/{id}/mfa/reset',
      // social sign-in
      'GET /admin/users/{id}/identities',
      'DELETE /admin/users/{id}/identities/{provider}',
    ],
    table: 'readWrite',
    mail: true,
    keys: 'verify',
    audit: 'append',
    argon2: true,
  },
  audit: {
    routes: ['GET /me/activity', 'GET /admin/audit', 'GET /admin/users/{id}/audit'],
    table: 'get',
    mail: false,
    keys: 'verify',
    audit: 'query',
    argon2: false,
  },
  /**
   * mfa: behind the token check, reads the user and session, verifies the password (argon2) and
   * TOTP codes (the data-key ring decrypts secrets), hashes recovery codes (argon2), writes the
   * profile, the pending enrolment and sessions (revoking the others), mails notices. The second
   * step of a sign-in (`POST /session/mfa`, public) creates the session: it signs tokens.
   */
  mfa: {
    routes: [
      'POST /session/reauthenticate',
      'GET /me/mfa',
      'POST /me/mfa/totp',
      'POST /me/mfa/totp/confirm',
      'DELETE /me/mfa/totp',
      'POST /me/mfa/recovery-codes',
      'POST /session/mfa',
    ],
    table: 'readWrite',
    mail: true,
    keys: 'sign',
    audit: 'append',
    argon2: true,
    dataKeys: true,
  },
  // --- hosted UI (docs/hosted-ui.md) ---
  /**
   * ui: the hosted pages (only with the `hostedUi` prop): every `function: 'ui'` row of the route
   * table (each page, the assets, the catch-all `GET /ui/{proxy+}`), taken from the table rather
   * than listed twice. Its grants are the union of what any page's flows need, so a new page row
   * needs a new decision here only when its handler calls a flow outside that union. Its pages
   * call the flows of registration, session, account, sessions, email-confirmation,
   * password-reset and invitations directly: the union of their needs (argon2, mail, signing
   * keys, since a sign-in starts a Latch session; `csrf.rejected` and the audit key, from which
   * the pre-sign-in CSRF key is derived), the data keys (TOTP enrolment, second step and step-up
   * codes) and audit queries (the activity page reads the user's own events, as `GET /me/activity`).
   */
  ui: {
    routes: (routeTable as readonly RouteDefinition[]).filter((r) => r.function === 'ui').map(routeKey),
    table: 'readWrite',
    mail: true,
    keys: 'sign',
    audit: 'query',
    argon2: true,
    dataKeys: true,
  },
  /**
   * oauth2-token: the hand-off's token endpoint (only with `hostedUi`): redeems codes (a new
   * session: signs tokens) and renews client sessions; writes sessions, codes and events. No
   * mail, no passwords. Reads the secrets of confidential clients given as `{ secretArn }`
   * (granted by the construct on exactly those ARNs).
   */
  'oauth2-token': { routes: ['POST /oauth2/token'], table: 'readWrite', mail: false, keys: 'sign', audit: 'append', argon2: false },
  // --- end hosted UI ---
  // Social sign-in (docs/specs/social-sign-in.md §9): signs in (private keys), writes identities and
  // mail, checks step-up passwords (argon2) and TOTP codes (data keys). The only function that
  // reads provider secrets (granted by the construct per provider).
  oauth: {
    routes: [
      'GET /oauth/providers',
      'POST /oauth/{provider}/authorize',
      'POST /oauth/{provider}/callback',
      'POST /oauth/{provider}/create',
      'POST /oauth/{provider}/nonce',
      'POST /oauth/{provider}/id-token',
      'GET /me/identities',
      'POST /me/identities',
      'DELETE /me/identities/{provider}',
    ],
    table: 'readWrite',
    mail: true,
    keys: 'sign',
    audit: 'append',
    argon2: true,
    dataKeys: true,
  },
  /**
   * passkeys (`docs/specs/mfa-and-passkeys.md` §13): the WebAuthn routes. Registration is behind
   * the token check and a step-up (argon2 password, TOTP code: the data-key ring, recovery codes),
   * writes challenges, passkeys, claims and the profile (revoking other sessions for the first
   * factor), mails notices; passwordless sign-in signs tokens. The only bundle with
   * `@simplewebauthn/server`.
   */
  passkeys: {
    routes: [
      'POST /me/passkeys/options',
      'POST /me/passkeys',
      'GET /me/passkeys',
      'PATCH /me/passkeys/{id}',
      'DELETE /me/passkeys/{id}',
      'POST /session/passkey/options',
      'POST /session/passkey',
      // --- pk2: a passkey as the second factor and for step-up (same grants: the second step and
      // the step-up sign or update sessions, spend challenges, count MFA failures, mail the lockout) ---
      'POST /session/mfa/webauthn/options',
      'POST /session/mfa/webauthn',
      'POST /session/reauthenticate/webauthn/options',
      'POST /session/reauthenticate/webauthn',
      // The hosted pages' passkey endpoints (hosted-ui §5.3): the same flows behind the UI cookies;
      // the CSRF key derives from the audit key the function already reads.
      'POST /ui/passkeys/sign-in/options',
      'POST /ui/passkeys/sign-in',
      'POST /ui/passkeys/mfa/options',
      'POST /ui/passkeys/mfa',
      'POST /ui/passkeys/reauthenticate/options',
      'POST /ui/passkeys/reauthenticate',
      'POST /ui/passkeys/add/options',
      'POST /ui/passkeys/add',
      // --- end pk2 ---
    ],
    table: 'readWrite',
    mail: true,
    keys: 'sign',
    audit: 'append',
    argon2: true,
    dataKeys: true,
  },
  'not-found': { routes: [], table: 'none', mail: false, keys: 'none', audit: 'none', argon2: false },
  // cost (issue 17): sized by row 8 like Lambda Power Tuning's pick. About 0.2 ms of CPU per decision
  // (row 1) and one read: 512 MB models within 10 % of the fastest (the line is at 0.21 ms of CPU;
  // row 8 judges the pick over the quartiles of row 1's rounds).
  authorizer: { routes: [], table: 'get', mail: false, keys: 'verify', audit: 'none', argon2: false, memoryMb: 512 },
};

/** The access of a function, or a clear error for a function nobody has decided about yet. */
export function accessOf(name: string): FunctionAccess {
  const access = (FUNCTION_ACCESS as Record<string, FunctionAccess | undefined>)[name];
  if (!access) {
    throw new Error(`functions/${name}.ts has no entry in infra/constructs/function-access.ts: decide its table, mail, key, audit and argon2 needs there`);
  }
  return access;
}
