/**
 * Latch's typed client: a small, dependency-free TypeScript client for the public and account
 * routes of the Latch HTTP contract (`API.md`). It uses only `fetch`, `AbortController`,
 * `setTimeout` and (optionally) `atob`, so it runs unchanged in browsers, React Native and
 * server runtimes. It is one file with no imports on purpose: copy it into an app and any
 * bundler (Metro, Vite, webpack, esbuild) takes it as it is.
 *
 * What it does for you:
 * - keeps the token pair in a pluggable {@link TokenStorage} (memory by default);
 * - renews the session shortly before the access token expires, with ONE renewal in flight
 *   shared by every concurrent call: Latch treats a renewal token presented twice as theft and
 *   revokes the session, so two parallel renewals would sign the user out;
 * - on a `401` from an authenticated call, renews once and retries once;
 * - when renewal answers `401`/`403` (the session is gone), clears the storage and calls
 *   `onSessionEnd`;
 * - turns every problem+json answer into a {@link LatchProblemError} with a typed `code`.
 */

// ---------------------------------------------------------------------------------------------
// Contract types
// ---------------------------------------------------------------------------------------------

/** The problem codes of the contract; clients switch on these, never on texts. */
export const LATCH_PROBLEM_CODES = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'invalid_credentials',
  'email_not_confirmed',
  'account_locked',
  'password_compromised',
  'forbidden',
  'not_found',
  'method_not_allowed',
  'invalid_token',
  'too_many_attempts',
  'payload_too_large',
  'unsupported_media_type',
  'service_unavailable',
  'invalid_code',
  'reauthentication_required',
  'already_enabled',
  'mfa_not_enabled',
  'mfa_required',
  'mfa_enrollment_required',
  // social sign-in
  'oauth_failed',
  'identity_taken',
  'registration_closed',
  'last_sign_in_method',
] as const;

/**
 * A problem `code`: one of the contract's codes, or `internal_error`, which Latch answers (with
 * `500`) only for a bug on its side.
 */
export type LatchProblemCode = (typeof LATCH_PROBLEM_CODES)[number] | 'internal_error';

/** A user as Latch answers it. `A` are the deployment's custom attributes, if any. */
export type User<A extends object = Record<never, never>> = {
  id: string;
  email: string;
  emailConfirmed: boolean;
  /** The pending new address of an email change, waiting for its confirmation link. */
  unconfirmedEmail: string | null;
  role: 'user' | 'admin' | (string & {});
  locked: boolean;
  /** The inviter's user id. */
  invitedBy: string | null;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
  /** True while the user has a second factor (TOTP or a passkey). */
  mfaEnabled: boolean;
  /** True when the user can sign in with a password. */
  hasPassword: boolean;
  /** The language of the hosted pages and mails for this user (`en`, `de`), or null. */
  locale: string | null;
} & A;

/** The answer to sign-in, renewal, accepted invitations and registration without confirmation. */
export interface TokenPair<A extends object = Record<never, never>> {
  accessToken: string;
  renewalToken: string;
  tokenType: 'Bearer';
  /** The access token's lifetime in seconds. */
  expiresIn: number;
  user: User<A>;
  /**
   * Present only when not empty, on sign-in: `password_compromised` when the password just used
   * has appeared in a data breach (`AUTH_BREACHED_PASSWORD_ON_SIGN_IN=notify`); ask the user to
   * change it.
   */
  warnings?: Array<'password_compromised' | (string & {})>;
  /** {@link LatchClient.completeMfa} with a recovery code: unused codes left. */
  recoveryCodesRemaining?: number;
  /** `AUTH_MFA=required` and no second factor yet: only the enrolment routes answer (set one up with {@link LatchClient.startTotp}). */
  mfaEnrollmentRequired?: true;
}

// ----- second factor (docs/mfa.md) ------------------------------------------------------------

/** `GET /me/mfa`. */
export interface MfaStatus {
  enabled: boolean;
  totp: { enabledAt: string } | null;
  passkeys: number;
  recoveryCodes: { remaining: number; createdAt: string } | null;
}

/** The credentials of a step-up route: `currentPassword`, plus `code` (TOTP or recovery code) for a user with a second factor. Empty when the session is fresh. */
export interface StepUpInput {
  currentPassword?: string;
  code?: string;
}

/** `POST /me/mfa/totp`: a pending enrolment. Draw `otpauthUri` as a QR code. */
export interface TotpEnrollment {
  secret: string;
  otpauthUri: string;
  expiresAt: string;
}

/** `POST /me/mfa/totp/confirm`. `recoveryCodes` are shown once, only when the user had none. */
export interface TotpConfirmation<A extends object = Record<never, never>> {
  user: User<A>;
  recoveryCodes?: string[];
}

/** `POST /session/reauthenticate`. */
export interface Reauthenticated {
  reauthenticatedUntil: string;
  aal: 'aal1' | 'aal2';
  recoveryCodesRemaining?: number;
}

/** `POST /session/mfa`: the `mfaToken` of a {@link LatchMfaRequiredError} and a code. */
export interface CompleteMfaInput {
  mfaToken: string;
  code: string;
  /** Else it follows from the shape of `code`. */
  method?: 'totp' | 'recovery_code';
}

/** One of the signed-in user's sessions (`GET /sessions`). Its `id` is the `sid` of its tokens. */
export interface Session {
  id: string;
  createdAt: string;
  /** Moves on every renewal. */
  lastUsedAt: string;
  userAgent: string | null;
  ip: string | null;
  /** True for the session the call was made with. */
  current: boolean;
  /** `null` for a direct API sign-in, `"ui"` for the hosted pages, or a hand-off client id. */
  client: string | null;
}

/** Query of {@link LatchClient.sessionsPage}: a page size (1 to 100, default 20) and the previous page's cursor. */
export interface SessionsQuery {
  limit?: number;
  cursor?: string | null;
}

/** A page of `GET /sessions`: `nextCursor` is null on the last page. */
export interface SessionsPage {
  sessions: Session[];
  nextCursor: string | null;
}

/** Who did what an audit event records: `operator` is the `latch` CLI. */
export type AuditActorKind = 'user' | 'admin' | 'operator' | 'system' | 'anonymous';

/**
 * An audit event (the catalogue of types and their `details`: `docs/audit.md`). Never a password,
 * token, code, secret or address.
 */
export interface AuditEvent {
  /** A ulid. */
  id: string;
  /** A type of the catalogue, e.g. `sign_in`, `password.changed`, `admin.locked`. */
  type: string;
  outcome: 'success' | 'failure';
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  /** In `/me/activity`, an admin's or operator's `id` is left out. */
  actor: { kind: AuditActorKind; id?: string };
  /** The user the event is about (null: an address without an account). */
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  /** Admin routes only: HMAC-SHA256 of the canonical address under the deployment's audit key. */
  emailHash?: string | null;
}

/**
 * A page of audit events, newest first. It may hold fewer than `limit` events (even none) while
 * `nextCursor` is set: filters apply after the read. Pass `nextCursor` back for the next page.
 */
export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

/** Query of {@link LatchClient.myActivity}: a page size (1 to 100, default 50) and the previous page's cursor. */
export interface ActivityQuery {
  limit?: number;
  cursor?: string | null;
}

/** Query of {@link LatchClient.adminUserAudit}. Times are ISO 8601 (a date alone: that UTC day) or `Date`s. */
export interface AuditQuery extends ActivityQuery {
  /** A type, or a family such as `admin.*`. */
  type?: string;
  /** Inclusive lower bound on `at`. */
  from?: string | Date;
  /** Inclusive upper bound on `at` (default: now). */
  to?: string | Date;
}

/**
 * Query of {@link LatchClient.adminAudit}: one user (`userId`), one address (`email`: known,
 * deleted or never registered), or neither: every user's events between `from` and `to` (at most
 * 31 days; default the last 24 hours).
 */
export interface AdminAuditQuery extends AuditQuery {
  userId?: string;
  email?: string;
}

export interface Invitation {
  email: string;
  /** ISO 8601. */
  expiresAt: string;
}

/** `{ message }` answers (202 for registration pending, resend, reset request; 200 for a reset). */
export interface MessageResponse {
  message: string;
}

export interface RegisterInput {
  email: string;
  password: string;
  passwordConfirmation?: string;
  /** The user's language for the hosted pages and mails: `en` or `de` (else `422 errors.locale`). */
  locale?: string;
}

/**
 * Registration answers `202` when email confirmation is required (the same for new and taken
 * emails, so nothing leaks), or `201` with a token pair when it is not.
 */
export type RegisterResult<A extends object = Record<never, never>> = { signedIn: false; message: string } | { signedIn: true; tokens: TokenPair<A> };

export interface SignInInput {
  email: string;
  password: string;
  /** Longer session (`AUTH_REMEMBER_ME_TTL_SECONDS`); `false` is the same as leaving it out. */
  rememberMe?: boolean;
}

// ----- passkeys (`docs/passkeys.md`) -----

/** A registered passkey (never its public key). */
export interface Passkey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  transports: string[];
  discoverable: boolean;
  disabled: boolean;
}

/** The browser's credential JSON: what `@simplewebauthn/browser`'s `startRegistration`/`startAuthentication` return. */
export type PasskeyCredentialJSON = { id: string; type: string; response: Record<string, unknown> } & Record<string, unknown>;

/** The step-up members of a route that needs fresh authentication. */
export interface StepUpInput {
  currentPassword?: string;
  code?: string;
}

export interface EmailInput {
  email: string;
}

export interface NewPasswordInput {
  password: string;
  passwordConfirmation?: string;
}

/** `PATCH /me`: the current password and any of the changes. */
export interface UpdateMeInput {
  /** Needed for every change except `locale` alone. */
  currentPassword?: string;
  email?: string;
  password?: string;
  passwordConfirmation?: string;
  /** `en` or `de` (else `422 errors.locale`); alone, it needs no `currentPassword`. */
  locale?: string;
}

export interface DeleteMeInput {
  currentPassword: string;
}

/** `GET /password-reset/{token}` and `GET /invitations/{token}`. */
export interface TokenEmail {
  email: string;
}

/** A public signing key of the JWKS (no private members). */
export interface Jwk {
  kty: string;
  kid: string;
  alg?: string;
  use?: string;
  crv?: string;
  x?: string;
  [member: string]: unknown;
}

export interface Jwks {
  keys: Jwk[];
}

export interface OpenIdConfiguration {
  issuer: string;
  jwks_uri: string;
  [member: string]: unknown;
}

/** RFC 9457 problem details as Latch sends them. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: Record<string, string[]>;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * A problem+json answer (any non-2xx status). Switch on `code`; `errors` maps field names to
 * messages for `validation_failed`; `retryAfterSeconds` is the `Retry-After` header of
 * `too_many_attempts` and `service_unavailable`. An answer that is not problem+json (e.g. API
 * Gateway's own 429 or 503) gets the code its status means.
 */
export class LatchProblemError extends Error {
  readonly status: number;
  readonly code: LatchProblemCode;
  readonly title: string;
  readonly detail: string;
  readonly errors?: Record<string, string[]>;
  readonly retryAfterSeconds?: number;

  constructor(init: {
    status: number;
    code: LatchProblemCode;
    title?: string;
    detail?: string;
    errors?: Record<string, string[]> | undefined;
    retryAfterSeconds?: number | undefined;
  }) {
    const detail = init.detail ?? init.title ?? init.code;
    super(detail);
    this.name = 'LatchProblemError';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title ?? init.code;
    this.detail = detail;
    if (init.errors) this.errors = init.errors;
    if (init.retryAfterSeconds !== undefined) this.retryAfterSeconds = init.retryAfterSeconds;
  }
}

/**
 * `403 mfa_required` from {@link LatchClient.signIn}: the password was right and the user has a
 * second factor. Ask for a code and call {@link LatchClient.completeMfa} with `mfaToken`.
 */
export class LatchMfaRequiredError extends LatchProblemError {
  /** Send it to `POST /session/mfa` with a code, within `expiresIn` seconds. */
  readonly mfaToken: string;
  /** What the user can answer with: `totp`, `recovery_code`, `webauthn`. */
  readonly mfaMethods: Array<'totp' | 'recovery_code' | 'webauthn' | (string & {})>;
  readonly expiresIn: number;

  constructor(init: ConstructorParameters<typeof LatchProblemError>[0] & { mfaToken: string; mfaMethods: string[]; expiresIn: number }) {
    super({ ...init, code: 'mfa_required' });
    this.name = 'LatchMfaRequiredError';
    this.mfaToken = init.mfaToken;
    this.mfaMethods = init.mfaMethods;
    this.expiresIn = init.expiresIn;
  }
}

/**
 * `403 reauthentication_required` from a step-up route: call it again with credentials
 * (`currentPassword`, plus `code` when `reauthAal` is `aal2`), or {@link LatchClient.reauthenticate} first.
 */
export class LatchReauthenticationRequiredError extends LatchProblemError {
  readonly reauthMethods: Array<'password' | 'totp' | 'recovery_code' | 'webauthn' | (string & {})>;
  readonly reauthAal: 'aal1' | 'aal2';

  constructor(init: ConstructorParameters<typeof LatchProblemError>[0] & { reauthMethods: string[]; reauthAal: 'aal1' | 'aal2' }) {
    super({ ...init, code: 'reauthentication_required' });
    this.name = 'LatchReauthenticationRequiredError';
    this.reauthMethods = init.reauthMethods;
    this.reauthAal = init.reauthAal;
  }
}

/**
 * No answer at all: the network failed or the request timed out (`timedOut`). Note that a renewal
 * that got no answer may still have been spent by the server.
 */
export class LatchNetworkError extends Error {
  readonly timedOut: boolean;
  override readonly cause: unknown;

  constructor(message: string, options: { timedOut: boolean; cause?: unknown }) {
    super(message);
    this.name = 'LatchNetworkError';
    this.timedOut = options.timedOut;
    this.cause = options.cause;
  }
}

/** True for a {@link LatchProblemError}, optionally with one of the given codes. */
export function isLatchProblem(error: unknown, ...codes: LatchProblemCode[]): error is LatchProblemError {
  return error instanceof LatchProblemError && (codes.length === 0 || codes.includes(error.code));
}

const KNOWN_CODES: readonly string[] = [...LATCH_PROBLEM_CODES, 'internal_error'];

function codeForStatus(status: number): LatchProblemCode {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 405:
      return 'method_not_allowed';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 422:
      return 'validation_failed';
    case 429:
      return 'too_many_attempts';
    case 500:
      return 'internal_error';
    default:
      return status >= 500 ? 'service_unavailable' : 'bad_request';
  }
}

/**
 * `Retry-After` in seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when
 * absent or unreadable. Browsers only show it because Latch lists it in
 * `Access-Control-Expose-Headers`.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

/** Builds the error for a non-2xx answer, whatever its body. */
export async function problemFromResponse(response: Response, nowMs: number = Date.now()): Promise<LatchProblemError> {
  let body: Partial<ProblemDetails> | undefined;
  try {
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Partial<ProblemDetails>;
  } catch {
    body = undefined;
  }
  const code = typeof body?.code === 'string' && KNOWN_CODES.includes(body.code) ? (body.code as LatchProblemCode) : codeForStatus(response.status);
  const errors = body?.errors && typeof body.errors === 'object' ? body.errors : undefined;
  const init = {
    status: response.status,
    code,
    title: typeof body?.title === 'string' ? body.title : response.statusText || code,
    ...(typeof body?.detail === 'string' ? { detail: body.detail } : {}),
    errors,
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), nowMs),
  };
  // The problems with extension members come as their own classes, members typed.
  const members = (body ?? {}) as Record<string, unknown>;
  const strings = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  if (code === 'mfa_required' && typeof members.mfaToken === 'string') {
    return new LatchMfaRequiredError({
      ...init,
      mfaToken: members.mfaToken,
      mfaMethods: strings(members.mfaMethods),
      expiresIn: typeof members.expiresIn === 'number' ? members.expiresIn : 0,
    });
  }
  if (code === 'reauthentication_required') {
    return new LatchReauthenticationRequiredError({
      ...init,
      reauthMethods: strings(members.reauthMethods),
      reauthAal: members.reauthAal === 'aal2' ? 'aal2' : 'aal1',
    });
  }
  return new LatchProblemError(init);
}

/** True for `403 mfa_required` (with its `mfaToken`): the sign-in needs its second step. */
export function isMfaRequired(error: unknown): error is LatchMfaRequiredError {
  return error instanceof LatchMfaRequiredError;
}

/** True for `403 reauthentication_required` (with `reauthMethods`, `reauthAal`). */
export function isReauthenticationRequired(error: unknown): error is LatchReauthenticationRequiredError {
  return error instanceof LatchReauthenticationRequiredError;
}

// ---------------------------------------------------------------------------------------------
// Token storage
// ---------------------------------------------------------------------------------------------

/** What the client keeps between calls. */
export interface StoredTokens {
  accessToken: string;
  renewalToken: string;
  /**
   * When the access token expires, in milliseconds since the epoch on THIS device's clock
   * (received time + `expiresIn`, so a device clock that is off does not matter). When absent,
   * the token's `exp` claim is used.
   */
  expiresAt?: number;
}

/**
 * Where the client keeps the token pair. Every method may be synchronous or return a promise,
 * so `localStorage`, `AsyncStorage` and Expo `SecureStore` all fit (see docs/client.md).
 */
export interface TokenStorage {
  get(): Promise<StoredTokens | null> | StoredTokens | null;
  set(tokens: StoredTokens): Promise<void> | void;
  clear(): Promise<void> | void;
}

/** Keeps the tokens in memory only (the default): gone on reload, invisible to other scripts. */
export class MemoryTokenStorage implements TokenStorage {
  #tokens: StoredTokens | null;

  constructor(initial: StoredTokens | null = null) {
    this.#tokens = initial;
  }

  get(): StoredTokens | null {
    return this.#tokens;
  }

  set(tokens: StoredTokens): void {
    this.#tokens = { ...tokens };
  }

  clear(): void {
    this.#tokens = null;
  }
}

// ---------------------------------------------------------------------------------------------
// JWT claims (read only: the client never verifies tokens, the server does)
// ---------------------------------------------------------------------------------------------

/** The claims of an access token, or undefined when it cannot be read (or `atob` is missing). */
export function decodeJwtClaims(
  token: string,
): { exp?: number; iat?: number; sid?: string; sub?: string; role?: string; [claim: string]: unknown } | undefined {
  const payload = token.split('.')[1];
  if (!payload || typeof atob !== 'function') return undefined;
  try {
    const base64 = payload
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(payload.length / 4) * 4, '=');
    const binary = atob(base64);
    // UTF-8 bytes to a string without TextDecoder (not in every React Native engine).
    let escaped = '';
    for (let i = 0; i < binary.length; i++) escaped += `%${binary.charCodeAt(i).toString(16).padStart(2, '0')}`;
    const claims: unknown = JSON.parse(decodeURIComponent(escaped));
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------------

export interface LatchClientOptions {
  /** The auth API's base URL, e.g. `https://auth.example.com` or `http://127.0.0.1:3000`. */
  baseUrl: string;
  /**
   * Where the token pair lives. Default: a {@link MemoryTokenStorage}. `null` makes the client
   * stateless (for servers, e.g. a GraphQL gateway serving many users): nothing is stored, and
   * authenticated calls go through {@link LatchClient.withAccessToken}.
   */
  storage?: TokenStorage | null;
  /** The fetch to use (default: the global one). Handy for tests, logging or a custom agent. */
  fetch?: typeof fetch;
  /**
   * Renew when the access token expires within this many seconds (default 60). Keep it below the
   * deployment's `AUTH_ACCESS_TOKEN_TTL_SECONDS` (900 by default), or every call renews first.
   */
  renewBeforeSeconds?: number;
  /**
   * Called once when the session ends without the user asking: renewal answered `401` (revoked,
   * expired, signed out elsewhere) or `403` (`account_locked`). The storage is already cleared.
   */
  onSessionEnd?: (reason: LatchProblemError) => void;
  /** Per-request timeout in milliseconds (default 15000; 0 for none). */
  timeoutMs?: number;
  /** Headers sent with every request (e.g. `X-Client-Version`). */
  headers?: Record<string, string>;
  /**
   * Runs a renewal under a lock shared with other clients of the same storage (e.g. browser
   * tabs sharing `localStorage`): `(name, task) => navigator.locks.request(name, task)`. Inside
   * the lock the client reads the storage again and uses a pair another tab just renewed.
   */
  lock?: (name: string, task: () => Promise<unknown>) => Promise<unknown>;
  /** The clock in milliseconds (default `Date.now`); for tests. */
  now?: () => number;
}

/** Per-call options. */
export interface RequestOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface AuthOptions extends RequestOptions {
  /** For signOut and friends: a session that ends here is not "ended without asking". */
  quiet?: boolean;
}

// ----- social sign-in types (docs/social-sign-in.md) ------------------------------------------

export type OAuthIntent = 'sign_in' | 'link' | 'reauthenticate';
export interface OAuthProviderInfo {
  id: string;
  name: string;
}
export interface OAuthStartInput {
  /** One of the provider's configured redirect URIs, exactly. */
  redirectUri: string;
  intent?: OAuthIntent;
  rememberMe?: boolean;
  invitationToken?: string;
  currentPassword?: string;
  code?: string;
}
export interface OAuthStart {
  authorizationUrl: string;
  /** Keep in memory; send with `finish()`. */
  flowSecret: string;
  expiresIn: number;
}
export interface OAuthFinishInput {
  /** The full URL your redirect URI received. */
  callbackUrl: string;
  flowSecret: string;
  /** A `form_post` answer's fields (Apple). */
  callbackParams?: Record<string, string>;
  /** `reauthenticate` for an MFA user: a TOTP or recovery code. */
  code?: string;
}
export interface OAuthIdTokenInput {
  idToken: string;
  /** The raw nonce from `nonce()` (Apple's SDK gets its SHA-256 in hex). */
  nonce: string;
  intent?: OAuthIntent;
  rememberMe?: boolean;
  invitationToken?: string;
  currentPassword?: string;
  code?: string;
}
export interface OAuthIdentity {
  provider: string;
  name: string | null;
  email: string | null;
  emailVerified: boolean;
  createdAt: string;
  lastUsedAt: string;
}
export type OAuthResult<A extends object = Record<never, never>> =
  | { kind: 'signedIn'; created: boolean; tokens: TokenPair<A> }
  | { kind: 'pending'; message: string }
  | { kind: 'linked'; identity: OAuthIdentity }
  | { kind: 'reauthenticated'; reauthenticatedUntil: string; aal: 'aal1' | 'aal2' };

/**
 * The Latch client. `A` types the deployment's custom user attributes, e.g.
 * `new LatchClient<{ tenant: string }>({ baseUrl })`.
 */
export class LatchClient<A extends object = Record<never, never>> {
  readonly baseUrl: string;
  readonly #storage: TokenStorage | null;
  readonly #fetch: typeof fetch;
  readonly #renewBeforeMs: number;
  readonly #onSessionEnd: ((reason: LatchProblemError) => void) | undefined;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;
  readonly #lock: ((name: string, task: () => Promise<unknown>) => Promise<unknown>) | undefined;
  readonly #now: () => number;
  readonly #options: LatchClientOptions;
  /** Set only on clients made by {@link withAccessToken}. */
  #fixedAccessToken: string | undefined;
  /** The one renewal in flight, shared by every caller. */
  #renewal: Promise<StoredTokens> | null = null;

  constructor(options: LatchClientOptions) {
    if (!options?.baseUrl) throw new TypeError('LatchClient: baseUrl is required');
    this.#options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#storage = options.storage === undefined ? new MemoryTokenStorage() : options.storage;
    const custom = options.fetch;
    // The global fetch must be called unbound-free (browsers throw "Illegal invocation").
    this.#fetch = custom ?? ((input, init) => globalThis.fetch(input, init));
    this.#renewBeforeMs = Math.max(0, options.renewBeforeSeconds ?? 60) * 1000;
    this.#onSessionEnd = options.onSessionEnd;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#headers = { ...options.headers };
    this.#lock = options.lock;
    this.#now = options.now ?? (() => Date.now());
  }

  // ----- public routes -------------------------------------------------------------------

  /** `POST /registration`. With confirmation off (`201`), the new session is stored. */
  async register(input: RegisterInput & Partial<A>, options?: RequestOptions): Promise<RegisterResult<A>> {
    const response = await this.#send('POST', '/registration', { body: input, options });
    if (response.status === 201) {
      const tokens = (await this.#json(response)) as TokenPair<A>;
      await this.#store(tokens);
      return { signedIn: true, tokens };
    }
    const { message } = (await this.#json(response)) as MessageResponse;
    return { signedIn: false, message };
  }

  /** `POST /session/passkey/options`: assertion options for `startAuthentication({ optionsJSON: options })` (the same for everyone). */
  async passkeySignInOptions(options?: RequestOptions): Promise<{ options: Record<string, unknown>; expiresIn: number }> {
    return this.#call('POST', '/session/passkey/options', { body: {}, options });
  }

  /** `POST /session/passkey`: signs in with the browser's assertion (no password) and stores the pair. */
  async signInWithPasskey(credential: PasskeyCredentialJSON, input: { rememberMe?: boolean } = {}, options?: RequestOptions): Promise<TokenPair<A>> {
    const tokens = await this.#call<TokenPair<A>>('POST', '/session/passkey', { body: { credential, ...input }, options });
    await this.#store(tokens);
    return tokens;
  }

  /**
   * The caller's passkeys: `registrationOptions` (step-up: fresh authentication or
   * `currentPassword`/`code`), `register` (the browser's `startRegistration` result), `list`,
   * `rename`, `remove` (step-up).
   */
  get passkeys() {
    return {
      registrationOptions: (input: StepUpInput = {}, options?: RequestOptions): Promise<{ options: Record<string, unknown> }> =>
        this.#call('POST', '/me/passkeys/options', { body: input, options, auth: true }),
      register: (credential: PasskeyCredentialJSON, name?: string, options?: RequestOptions): Promise<{ passkey: Passkey; recoveryCodes?: string[] }> =>
        this.#call('POST', '/me/passkeys', { body: { credential, ...(name === undefined ? {} : { name }) }, options, auth: true }),
      list: async (options?: RequestOptions): Promise<Passkey[]> =>
        (await this.#call<{ passkeys: Passkey[] }>('GET', '/me/passkeys', { options, auth: true })).passkeys,
      rename: async (id: string, name: string, options?: RequestOptions): Promise<Passkey> =>
        (await this.#call<{ passkey: Passkey }>('PATCH', `/me/passkeys/${encodeURIComponent(id)}`, { body: { name }, options, auth: true })).passkey,
      remove: async (id: string, input: StepUpInput = {}, options?: RequestOptions): Promise<void> => {
        await this.#call('DELETE', `/me/passkeys/${encodeURIComponent(id)}`, { body: input, options, auth: true });
      },
      // --- pk2: a passkey as the second factor and for step-up ---
      /** `POST /session/mfa/webauthn/options`: assertion options for the `mfaToken` of a {@link LatchMfaRequiredError}. */
      mfaOptions: (mfaToken: string, options?: RequestOptions): Promise<{ options: Record<string, unknown> }> =>
        this.#call('POST', '/session/mfa/webauthn/options', { body: { mfaToken }, options }),
      /** `POST /session/mfa/webauthn`: the second step with the browser's assertion; stores the pair. A failed assertion is `invalid_code`. */
      completeMfa: async (mfaToken: string, credential: PasskeyCredentialJSON, options?: RequestOptions): Promise<TokenPair<A>> => {
        const tokens = await this.#call<TokenPair<A>>('POST', '/session/mfa/webauthn', { body: { mfaToken, credential }, options });
        await this.#store(tokens);
        return tokens;
      },
      /** `POST /session/reauthenticate/webauthn/options`: assertion options for a step-up (user verification required). */
      reauthenticationOptions: (options?: RequestOptions): Promise<{ options: Record<string, unknown> }> =>
        this.#call('POST', '/session/reauthenticate/webauthn/options', { body: {}, options, auth: true }),
      // --- end pk2 ---
    };
  }

  // --- pk2 ---
  /** `POST /session/reauthenticate/webauthn`: step-up with the browser's assertion (gives aal2). */
  async reauthenticateWithPasskey(credential: PasskeyCredentialJSON, options?: RequestOptions): Promise<Reauthenticated> {
    return await this.#call<Reauthenticated>('POST', '/session/reauthenticate/webauthn', { body: { credential }, options, auth: true });
  }
  // --- end pk2 ---

  /** `DELETE /me/password` (step-up): go passwordless; needs a discoverable passkey. */
  async removePassword(input: StepUpInput = {}, options?: RequestOptions): Promise<void> {
    await this.#call('DELETE', '/me/password', { body: input, options, auth: true });
  }

  /** `POST /session`: signs in and stores the pair. */
  async signIn(input: SignInInput, options?: RequestOptions): Promise<TokenPair<A>> {
    const tokens = await this.#call<TokenPair<A>>('POST', '/session', { body: input, options });
    await this.#store(tokens);
    return tokens;
  }

  /**
   * `POST /session/mfa`: the second step of a sign-in that threw {@link LatchMfaRequiredError};
   * stores the pair. A wrong code is `invalid_code` (the same `mfaToken` may be tried again, up
   * to `AUTH_MFA_MAX_ATTEMPTS` times); an expired or spent one `invalid_token` (sign in again).
   */
  async completeMfa(input: CompleteMfaInput, options?: RequestOptions): Promise<TokenPair<A>> {
    const tokens = await this.#call<TokenPair<A>>('POST', '/session/mfa', { body: input, options });
    await this.#store(tokens);
    return tokens;
  }

  /**
   * `POST /session/renew`. Without an argument: renews the stored session, sharing any renewal
   * already in flight (and ends the session on `401`/`403`). With a renewal token (servers,
   * stateless clients): one plain call whose pair is returned and NOT stored.
   */
  renew(): Promise<StoredTokens>;
  renew(renewalToken: string, options?: RequestOptions): Promise<TokenPair<A>>;
  async renew(renewalToken?: string, options?: RequestOptions): Promise<TokenPair<A> | StoredTokens> {
    if (renewalToken !== undefined) {
      return await this.#call<TokenPair<A>>('POST', '/session/renew', { body: { renewalToken }, options });
    }
    const tokens = await this.#read();
    if (!tokens) throw notSignedIn();
    return this.#renewShared(tokens);
  }

  /** `POST /email-confirmation/{token}`: confirms the email (or swaps in the pending one). */
  async confirmEmail(token: string, options?: RequestOptions): Promise<User<A>> {
    const { user } = await this.#call<{ user: User<A> }>('POST', `/email-confirmation/${encodeURIComponent(token)}`, { options });
    return user;
  }

  /** `POST /email-confirmation/resend`: `202` whatever the email. */
  async resendConfirmation(input: EmailInput, options?: RequestOptions): Promise<MessageResponse> {
    return await this.#call<MessageResponse>('POST', '/email-confirmation/resend', { body: input, options });
  }

  /** `POST /password-reset`: `202` whatever the email. */
  async requestPasswordReset(input: EmailInput, options?: RequestOptions): Promise<MessageResponse> {
    return await this.#call<MessageResponse>('POST', '/password-reset', { body: input, options });
  }

  /** `GET /password-reset/{token}`: whose reset link it is (`404 invalid_token` if dead). */
  async getPasswordReset(token: string, options?: RequestOptions): Promise<TokenEmail> {
    return await this.#call<TokenEmail>('GET', `/password-reset/${encodeURIComponent(token)}`, { options });
  }

  /** `POST /password-reset/{token}`: sets the password and revokes every session of the user. */
  async resetPassword(token: string, input: NewPasswordInput, options?: RequestOptions): Promise<MessageResponse> {
    return await this.#call<MessageResponse>('POST', `/password-reset/${encodeURIComponent(token)}`, { body: input, options });
  }

  /** `GET /invitations/{token}`: the invited email. */
  async getInvitation(token: string, options?: RequestOptions): Promise<TokenEmail> {
    return await this.#call<TokenEmail>('GET', `/invitations/${encodeURIComponent(token)}`, { options });
  }

  /** `POST /invitations/{token}`: sets the password, signs in (`201`) and stores the pair. */
  async acceptInvitation(token: string, input: NewPasswordInput, options?: RequestOptions): Promise<TokenPair<A>> {
    const tokens = await this.#call<TokenPair<A>>('POST', `/invitations/${encodeURIComponent(token)}`, { body: input, options });
    await this.#store(tokens);
    return tokens;
  }

  /** `GET /.well-known/jwks.json`. */
  async jwks(options?: RequestOptions): Promise<Jwks> {
    return await this.#call<Jwks>('GET', '/.well-known/jwks.json', { options });
  }

  /** `GET /.well-known/openid-configuration`. */
  async openidConfiguration(options?: RequestOptions): Promise<OpenIdConfiguration> {
    return await this.#call<OpenIdConfiguration>('GET', '/.well-known/openid-configuration', { options });
  }

  // ----- social sign-in (docs/social-sign-in.md) ------------------------------------------

  /**
   * Sign in with Google, Apple, Microsoft, GitHub or any OIDC provider. The redirect flow:
   * `start()` → open `authorizationUrl` → your redirect URI receives the provider's answer →
   * `finish()` with the full URL it received and the `flowSecret` from `start()` (keep it in
   * memory only). Native apps with the providers' SDKs: `nonce()` then `signInWithIdToken()`.
   * A signed-in result is stored like any sign-in. `link`/`reauthenticate` intents send the
   * stored session's Bearer token.
   */
  readonly oauth = {
    /** `GET /oauth/providers`. */
    providers: async (options?: RequestOptions): Promise<OAuthProviderInfo[]> =>
      (await this.#call<{ providers: OAuthProviderInfo[] }>('GET', '/oauth/providers', { options })).providers,
    /** `POST /oauth/{provider}/authorize`. */
    start: async (provider: string, input: OAuthStartInput, options?: RequestOptions): Promise<OAuthStart> =>
      await this.#call<OAuthStart>('POST', `/oauth/${encodeURIComponent(provider)}/authorize`, {
        body: input,
        options,
        auth: input.intent === 'link' || input.intent === 'reauthenticate',
      }),
    /** `POST /oauth/{provider}/callback`: `422` with `pendingToken` is thrown as a `LatchProblemError` (its `body.pendingToken`). */
    finish: async (provider: string, input: OAuthFinishInput, options?: RequestOptions & { intent?: OAuthIntent }): Promise<OAuthResult<A>> =>
      this.#oauthResult(`/oauth/${encodeURIComponent(provider)}/callback`, input, options),
    /** `POST /oauth/{provider}/nonce` (not for `github`). */
    nonce: async (provider: string, options?: RequestOptions): Promise<{ nonce: string; expiresIn: number }> =>
      await this.#call<{ nonce: string; expiresIn: number }>('POST', `/oauth/${encodeURIComponent(provider)}/nonce`, { options }),
    /** `POST /oauth/{provider}/id-token`: a native SDK's ID token with the raw nonce. */
    signInWithIdToken: async (provider: string, input: OAuthIdTokenInput, options?: RequestOptions): Promise<OAuthResult<A>> =>
      this.#oauthResult(`/oauth/${encodeURIComponent(provider)}/id-token`, input, { ...options, intent: input.intent }),
    /** `POST /oauth/{provider}/create`: a pending identity with an address the user typed. */
    create: async (provider: string, input: { pendingToken: string; flowSecret: string; email: string }, options?: RequestOptions): Promise<OAuthResult<A>> =>
      this.#oauthResult(`/oauth/${encodeURIComponent(provider)}/create`, input, options),
    /** `GET /me/identities`. */
    identities: async (options?: AuthOptions): Promise<OAuthIdentity[]> =>
      (await this.#call<{ identities: OAuthIdentity[] }>('GET', '/me/identities', { options, auth: true })).identities,
    /** `POST /me/identities` (step-up): links a pending identity to the signed-in user. */
    link: async (input: { pendingToken: string; flowSecret: string; currentPassword?: string; code?: string }, options?: AuthOptions): Promise<OAuthIdentity> =>
      (await this.#call<{ identity: OAuthIdentity }>('POST', '/me/identities', { body: input, options, auth: true })).identity,
    /** `DELETE /me/identities/{provider}` (step-up). */
    unlink: async (provider: string, input: { currentPassword?: string; code?: string } = {}, options?: AuthOptions): Promise<void> =>
      await this.#call('DELETE', `/me/identities/${encodeURIComponent(provider)}`, { body: input, options, auth: true }),
  };

  async #oauthResult(path: string, body: unknown, options?: RequestOptions & { intent?: OAuthIntent | undefined }): Promise<OAuthResult<A>> {
    const authed = options?.intent === 'link' || options?.intent === 'reauthenticate';
    const response = authed ? await this.#authed('POST', path, body, options) : await this.#send('POST', path, { body, options });
    const json = (await this.#json(response)) as Record<string, unknown>;
    if (response.status === 202) return { kind: 'pending', message: String(json.message) };
    if ('identity' in json) return { kind: 'linked', identity: json.identity as OAuthIdentity };
    if ('reauthenticatedUntil' in json)
      return { kind: 'reauthenticated', reauthenticatedUntil: String(json.reauthenticatedUntil), aal: json.aal as 'aal1' | 'aal2' };
    const tokens = json as unknown as TokenPair<A>;
    await this.#store(tokens);
    return { kind: 'signedIn', created: response.status === 201, tokens };
  }

  // ----- account routes (Authorization: Bearer) ------------------------------------------

  /** `GET /me`. */
  async me(options?: RequestOptions): Promise<User<A>> {
    const { user } = await this.#call<{ user: User<A> }>('GET', '/me', { options, auth: true });
    return user;
  }

  /** `PATCH /me`: `currentPassword` and any of `email`, `password`, `passwordConfirmation`. */
  async updateMe(input: UpdateMeInput & Partial<A>, options?: RequestOptions): Promise<User<A>> {
    const { user } = await this.#call<{ user: User<A> }>('PATCH', '/me', { body: input, options, auth: true });
    return user;
  }

  /**
   * `DELETE /me`: deletes the account; clears the storage. A session found dead on the way (it
   * was revoked elsewhere, so nothing was deleted) ends with `onSessionEnd`, as for any call.
   */
  async deleteMe(input: DeleteMeInput, options?: RequestOptions): Promise<void> {
    const { response, tokens } = await this.#authedAs('DELETE', '/me', input, options ?? {});
    await this.#json(response);
    await this.#clearIfSameSession(tokens);
  }

  /**
   * `DELETE /session`: signs out. The storage is cleared in every case (also when the call
   * fails); a session that was already gone counts as signed out. A network failure is rethrown
   * after clearing: the server-side session may then live on until it expires.
   */
  async signOut(options?: RequestOptions): Promise<void> {
    if (this.#fixedAccessToken !== undefined) {
      await this.#call('DELETE', '/session', { options: { ...options, quiet: true }, auth: true });
      return;
    }
    await this.#renewal?.catch(() => undefined);
    const tokens = await this.#read();
    if (!tokens) return;
    try {
      await this.#call('DELETE', '/session', { options: { ...options, quiet: true }, auth: true });
    } catch (error) {
      if (!isLatchProblem(error, 'unauthorized', 'account_locked')) throw error;
    } finally {
      await this.#storage?.clear();
    }
  }

  /**
   * `GET /sessions?limit=&cursor=`: one page of the user's live sessions, newest first, `current`
   * marking this one. Pass the page's `nextCursor` back for the next page (null on the last).
   */
  async sessionsPage(query: SessionsQuery = {}, options?: RequestOptions): Promise<SessionsPage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
    const search = params.toString();
    const path = search === '' ? '/sessions' : `/sessions?${search}`;
    return this.#call<SessionsPage>('GET', path, { options, auth: true });
  }

  /**
   * Every live session of the user (at most `AUTH_MAX_SESSIONS_PER_USER`), walking the pages of
   * `GET /sessions` with the largest page size, `current` marking this one.
   */
  async sessions(options?: RequestOptions): Promise<Session[]> {
    const all: Session[] = [];
    let cursor: string | null = null;
    do {
      const page: SessionsPage = await this.sessionsPage({ limit: 100, ...(cursor ? { cursor } : {}) }, options);
      all.push(...page.sessions);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  /**
   * `DELETE /sessions/{id}`: revokes one session (`404` if it is not the caller's). Revoking the
   * current one (its `id` is the access token's `sid` claim) clears the storage, without
   * `onSessionEnd` (it was asked for). Revoking another one keeps this session; if this one turns
   * out to be dead already, that ends it with `onSessionEnd`, as for any call.
   */
  async revokeSession(id: string, options?: RequestOptions): Promise<void> {
    const before = await this.#read();
    const quiet = before !== null && sessionIdOf(before) === id;
    const { response, tokens } = await this.#authedAs('DELETE', `/sessions/${encodeURIComponent(id)}`, undefined, { ...options, quiet });
    await this.#json(response);
    if (tokens && sessionIdOf(tokens) === id) await this.#clearIfSameSession(tokens);
  }

  /** `DELETE /sessions`: signs out everywhere, this device included; clears the storage. */
  async signOutEverywhere(options?: RequestOptions): Promise<void> {
    const { response, tokens } = await this.#authedAs('DELETE', '/sessions', undefined, { ...options, quiet: true });
    await this.#json(response);
    await this.#clearIfSameSession(tokens);
  }

  /** `GET /me/mfa`: the user's second factors and unused recovery codes. */
  async getMfa(options?: RequestOptions): Promise<MfaStatus> {
    const { mfa } = await this.#call<{ mfa: MfaStatus }>('GET', '/me/mfa', { options, auth: true });
    return mfa;
  }

  /** `POST /me/mfa/totp` (step-up): a pending TOTP enrolment; confirm it with {@link confirmTotp}. */
  async startTotp(input: StepUpInput = {}, options?: RequestOptions): Promise<TotpEnrollment> {
    const { totp } = await this.#call<{ totp: TotpEnrollment }>('POST', '/me/mfa/totp', { body: input, options, auth: true });
    return totp;
  }

  /** `POST /me/mfa/totp/confirm`: turns TOTP on with a code of the pending enrolment (other sessions end). */
  async confirmTotp(input: { code: string }, options?: RequestOptions): Promise<TotpConfirmation<A>> {
    return await this.#call<TotpConfirmation<A>>('POST', '/me/mfa/totp/confirm', { body: input, options, auth: true });
  }

  /** `DELETE /me/mfa/totp` (step-up, at aal2): turns TOTP off (other sessions end). */
  async disableTotp(input: StepUpInput = {}, options?: RequestOptions): Promise<void> {
    await this.#call('DELETE', '/me/mfa/totp', { body: input, options, auth: true });
  }

  /** `POST /me/mfa/recovery-codes` (step-up): a new set replaces every code; shown once. */
  async regenerateRecoveryCodes(input: StepUpInput = {}, options?: RequestOptions): Promise<string[]> {
    const { recoveryCodes } = await this.#call<{ recoveryCodes: string[] }>('POST', '/me/mfa/recovery-codes', { body: input, options, auth: true });
    return recoveryCodes;
  }

  /** `POST /session/reauthenticate`: the password (plus a code with MFA) makes the session fresh for step-up routes. */
  async reauthenticate(input: StepUpInput, options?: RequestOptions): Promise<Reauthenticated> {
    return await this.#call<Reauthenticated>('POST', '/session/reauthenticate', { body: input, options, auth: true });
  }

  /** `POST /invitations`: invites an email (`403` when invitations are admin-only). */
  async invite(input: EmailInput, options?: RequestOptions): Promise<Invitation> {
    const { invitation } = await this.#call<{ invitation: Invitation }>('POST', '/invitations', { body: input, options, auth: true });
    return invitation;
  }

  /**
   * `GET /me/activity?limit=&cursor=`: one page of the signed-in user's own audit events (sign-ins,
   * password and email changes, sessions revoked, what an admin did to the account), newest first.
   */
  async myActivity(query: ActivityQuery = {}, options?: RequestOptions): Promise<AuditPage> {
    return this.#call<AuditPage>('GET', withQuery('/me/activity', query), { options, auth: true });
  }

  /** `GET /admin/audit` (admins): one page of audit events of a user, an address, or every user by time range. */
  async adminAudit(query: AdminAuditQuery = {}, options?: RequestOptions): Promise<AuditPage> {
    return this.#call<AuditPage>('GET', withQuery('/admin/audit', query), { options, auth: true });
  }

  /** `GET /admin/users/{id}/audit` (admins): one page of a user's audit events, a deleted user's included. */
  async adminUserAudit(userId: string, query: AuditQuery = {}, options?: RequestOptions): Promise<AuditPage> {
    return this.#call<AuditPage>('GET', withQuery(`/admin/users/${encodeURIComponent(userId)}/audit`, query), { options, auth: true });
  }

  // ----- helpers for apps and servers ----------------------------------------------------

  /**
   * A valid access token for calling other services protected by Latch's authorizer (renewed
   * first if it is about to expire), or null when signed out.
   */
  async getAccessToken(): Promise<string | null> {
    if (this.#fixedAccessToken !== undefined) return this.#fixedAccessToken;
    const tokens = await this.#read();
    if (!tokens) return null;
    return (await this.#fresh(tokens, false)).accessToken;
  }

  /**
   * `fetch` for another API protected by Latch's authorizer: adds the bearer token, renews
   * before expiry, and on a `401` renews once and retries once. The body must be re-sendable
   * (a string, not a stream). Returns the raw response whatever its status.
   */
  async authFetch(input: string, init: RequestInit = {}): Promise<Response> {
    const { response } = await this.#withSession(
      (accessToken) => {
        const headers = new Headers(init.headers);
        headers.set('authorization', `Bearer ${accessToken}`);
        return this.#fetch(input, { ...init, headers });
      },
      { quiet: false },
    );
    return response;
  }

  /** The stored pair (or null). */
  async getTokens(): Promise<StoredTokens | null> {
    return this.#read();
  }

  /** Stores a pair obtained elsewhere (e.g. from your own backend). */
  async setTokens(tokens: TokenPair<A> | StoredTokens): Promise<void> {
    await this.#store(tokens);
  }

  /** Forgets the stored pair without calling the server. */
  async clearTokens(): Promise<void> {
    await this.#storage?.clear();
  }

  /**
   * A client that makes authenticated calls with this access token and nothing else: no
   * storage, no renewal (a `401` is thrown as it is). For servers acting for a user, e.g. a
   * GraphQL gateway resolving `me` with the token of the incoming request.
   */
  withAccessToken(accessToken: string): LatchClient<A> {
    const client = new LatchClient<A>({ ...this.#options, storage: null });
    client.#fixedAccessToken = accessToken;
    return client;
  }

  // ----- internals -----------------------------------------------------------------------

  async #read(): Promise<StoredTokens | null> {
    if (!this.#storage) return null;
    return (await this.#storage.get()) ?? null;
  }

  async #store(tokens: TokenPair<A> | StoredTokens): Promise<StoredTokens> {
    const stored = this.#toStored(tokens);
    await this.#storage?.set(stored);
    return stored;
  }

  #toStored(tokens: TokenPair<A> | StoredTokens): StoredTokens {
    const { accessToken, renewalToken } = tokens;
    let lifetimeSeconds: number | undefined;
    if ('expiresIn' in tokens && typeof tokens.expiresIn === 'number') lifetimeSeconds = tokens.expiresIn;
    else if ('expiresAt' in tokens && typeof tokens.expiresAt === 'number') return { accessToken, renewalToken, expiresAt: tokens.expiresAt };
    else {
      const claims = decodeJwtClaims(accessToken);
      if (typeof claims?.exp === 'number' && typeof claims.iat === 'number') lifetimeSeconds = claims.exp - claims.iat;
    }
    // Relative lifetime on the local clock: a device clock that is off does not matter.
    return lifetimeSeconds === undefined ? { accessToken, renewalToken } : { accessToken, renewalToken, expiresAt: this.#now() + lifetimeSeconds * 1000 };
  }

  /** When the access token expires (ms, local clock), if known. */
  #expiresAt(tokens: StoredTokens): number | undefined {
    if (typeof tokens.expiresAt === 'number') return tokens.expiresAt;
    const exp = decodeJwtClaims(tokens.accessToken)?.exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  }

  /**
   * After a call that ended the session it was made with (`used`): clears the storage if it still
   * holds that session, renewed meanwhile or not, and keeps another session's pair (a sign-in
   * made while the call ran).
   */
  async #clearIfSameSession(used: StoredTokens | null): Promise<void> {
    if (!this.#storage || !used) return;
    const current = await this.#read();
    if (!current) return;
    const [now, then] = [sessionIdOf(current), sessionIdOf(used)];
    // Without readable claims (no atob), only the very pair the call was made with is known.
    const same = now !== undefined && then !== undefined ? now === then : current.renewalToken === used.renewalToken;
    if (same) await this.#storage.clear();
  }

  /**
   * The pair to call with: renewed first when the access token expires within
   * `renewBeforeSeconds`. A renewal that fails for a passing reason (network, 5xx, 429) is not
   * fatal while the current access token is still valid.
   */
  async #fresh(tokens: StoredTokens, quiet: boolean): Promise<StoredTokens> {
    const expiresAt = this.#expiresAt(tokens);
    if (expiresAt === undefined || expiresAt - this.#now() > this.#renewBeforeMs) return tokens;
    try {
      return await this.#renewShared(tokens, quiet);
    } catch (error) {
      const sessionGone = isLatchProblem(error) && (error.status === 401 || error.status === 403);
      if (!sessionGone && expiresAt > this.#now()) return tokens;
      throw error;
    }
  }

  /**
   * Renews starting from `from` (the pair the caller saw), joining the renewal in flight if
   * there is one. Nothing may be awaited between the check and setting `#renewal`, so concurrent
   * callers always find it.
   */
  #renewShared(from: StoredTokens, quiet = false): Promise<StoredTokens> {
    if (this.#renewal) return this.#renewal;
    const task = () => this.#renewNow(from, quiet);
    const renewal = (this.#lock ? (this.#lock(`latch-renewal ${this.baseUrl}`, task) as Promise<StoredTokens>) : task()).finally(() => {
      if (this.#renewal === renewal) this.#renewal = null;
    });
    this.#renewal = renewal;
    return renewal;
  }

  async #renewNow(from: StoredTokens, quiet: boolean): Promise<StoredTokens> {
    const current = await this.#read();
    if (!current) throw notSignedIn();
    // Another call, tab or client already rotated the pair we saw: use theirs, never respend.
    if (current.renewalToken !== from.renewalToken) return current;
    const response = await this.#send('POST', '/session/renew', { body: { renewalToken: current.renewalToken } });
    if (!response.ok) {
      const problem = await problemFromResponse(response, this.#now());
      if (problem.status === 401 || problem.status === 403) {
        const latest = await this.#read();
        // Only if the storage still holds this session (not a new sign-in made meanwhile).
        if (latest && latest.renewalToken === current.renewalToken) {
          await this.#storage?.clear();
          if (!quiet) this.#notifySessionEnd(problem);
        }
      }
      throw problem;
    }
    const pair = (await response.json()) as TokenPair<A>;
    const latest = await this.#read();
    // Signed out or signed in anew while we renewed: keep what the user did.
    if (!latest || latest.renewalToken !== current.renewalToken) {
      if (!latest) throw notSignedIn();
      return latest;
    }
    return this.#store(pair);
  }

  /** Calls onSessionEnd; an error it throws is reported on its own, not as the call's error. */
  #notifySessionEnd(problem: LatchProblemError): void {
    try {
      this.#onSessionEnd?.(problem);
    } catch (error) {
      setTimeout(() => {
        throw error;
      }, 0);
    }
  }

  /** An authenticated request through the session logic; returns the final response. */
  async #authed(method: Method, path: string, body: unknown, options: AuthOptions = {}): Promise<Response> {
    return (await this.#authedAs(method, path, body, options)).response;
  }

  /** {@link #authed}, also returning the pair the final request was made with (null: fixed token). */
  #authedAs(method: Method, path: string, body: unknown, options: AuthOptions): Promise<{ response: Response; tokens: StoredTokens | null }> {
    return this.#withSession((accessToken) => this.#send(method, path, { body, accessToken, options }), options);
  }

  async #withSession(send: (accessToken: string) => Promise<Response>, options: AuthOptions): Promise<{ response: Response; tokens: StoredTokens | null }> {
    if (this.#fixedAccessToken !== undefined) return { response: await send(this.#fixedAccessToken), tokens: null };
    const stored = await this.#read();
    if (!stored) throw notSignedIn();
    const quiet = options.quiet === true;
    const tokens = await this.#fresh(stored, quiet);
    const response = await send(tokens.accessToken);
    if (response.status !== 401) return { response, tokens };
    // The access token was refused: renew once (or pick up a renewal made meanwhile), retry once.
    await response.body?.cancel().catch(() => undefined);
    const renewed = await this.#renewShared(tokens, quiet);
    return { response: await send(renewed.accessToken), tokens: renewed };
  }

  async #send(method: Method, path: string, request: { body?: unknown; accessToken?: string; options?: RequestOptions | undefined }): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.#headers, ...request.options?.headers };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.accessToken !== undefined) headers.authorization = `Bearer ${request.accessToken}`;
    const controller = new AbortController();
    const outer = request.options?.signal;
    let timedOut = false;
    const onAbort = () => controller.abort();
    if (outer) {
      if (outer.aborted) controller.abort();
      else outer.addEventListener('abort', onAbort);
    }
    const timer =
      this.#timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, this.#timeoutMs)
        : undefined;
    try {
      return await this.#fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
        signal: controller.signal,
      });
    } catch (error) {
      if (outer?.aborted) throw error;
      throw new LatchNetworkError(timedOut ? `${method} ${path} timed out after ${this.#timeoutMs} ms` : `${method} ${path} failed: no answer`, {
        timedOut,
        cause: error,
      });
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * The one send-and-parse of every route call: sends (through the session logic when `auth`)
   * and answers the JSON body of a 2xx answer, or throws the problem.
   */
  async #call<T = undefined>(method: Method, path: string, request: { body?: unknown; options?: AuthOptions | undefined; auth?: boolean } = {}): Promise<T> {
    const response = request.auth
      ? await this.#authed(method, path, request.body, request.options)
      : await this.#send(method, path, { body: request.body, options: request.options });
    return (await this.#json(response)) as T;
  }

  /** The JSON body of a 2xx answer (undefined for 204), or the problem as an error. */
  async #json(response: Response): Promise<unknown> {
    if (!response.ok) throw await problemFromResponse(response, this.#now());
    if (response.status === 204) return undefined;
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  }
}

/** A path with a query string of the set members (`Date`s as ISO 8601; unset, null and empty ones left out). */
function withQuery(path: string, query: object): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(name, value instanceof Date ? value.toISOString() : String(value));
  }
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

/** The session a pair belongs to (the access token's `sid` claim), if it can be read. */
function sessionIdOf(tokens: StoredTokens): string | undefined {
  const sid = decodeJwtClaims(tokens.accessToken)?.sid;
  return typeof sid === 'string' ? sid : undefined;
}

function notSignedIn(): LatchProblemError {
  return new LatchProblemError({ status: 401, code: 'unauthorized', title: 'Unauthorized', detail: 'Not signed in.' });
}
