import * as z from 'zod/mini';
import { KNOWN_CODES } from './problem.js';

/**
 * JSON shapes of response bodies (the contract's `API.md`), as zod/mini schemas. They exist for
 * the OpenAPI document (`shared/http/openapi.ts` turns them into JSON Schema) and for tests that
 * check real answers against it; handlers do not parse their own output. Objects are loose where
 * the contract allows more members (custom user attributes, JWK members, discovery metadata).
 * The key of each entry is its component name in the OpenAPI document.
 */
const isoTime = (description: string) => z.string().check(z.meta({ format: 'date-time', description }));

const user = z
  .looseObject({
    id: z.string(),
    email: z.string(),
    emailConfirmed: z.boolean(),
    unconfirmedEmail: z.nullable(z.string()).check(z.describe('A pending new address, waiting for its confirmation link.')),
    role: z.string().check(z.describe('`user`, `admin`, or a role the deployment configured.')),
    locked: z.boolean(),
    invitedBy: z.nullable(z.string()).check(z.describe("The inviter's user id.")),
    createdAt: isoTime('ISO 8601.'),
    updatedAt: isoTime('ISO 8601.'),
    mfaEnabled: z.boolean().check(z.describe('True while the user has a second factor (TOTP or a passkey).')),
    hasPassword: z.boolean().check(z.describe('True when the user can sign in with a password.')),
    locale: z.nullable(z.string()).check(z.describe('The language of the hosted pages and mails for this user (`en`, `de`), or null.')),
  })
  .check(z.describe('A user. Configured custom attributes appear as further members. Never a password hash.'));

const tokenPair = z.object({
  accessToken: z.string().check(z.describe('A JWT (EdDSA) to send as `Authorization: Bearer <accessToken>`.')),
  renewalToken: z.string().check(z.describe('Opaque, single-use: spend it at `POST /session/renew`.')),
  tokenType: z.literal('Bearer'),
  expiresIn: z.int().check(z.describe("The access token's lifetime in seconds.")),
  user,
  warnings: z.optional(
    z
      .array(z.enum(['password_compromised']))
      .check(
        z.describe(
          'Present only when not empty (sign-in): `password_compromised` when the correct password is in the breached or common lists (`AUTH_BREACHED_PASSWORD_ON_SIGN_IN=notify`).',
        ),
      ),
  ),
  recoveryCodesRemaining: z.optional(z.int().check(z.describe('`POST /session/mfa` with a recovery code: unused codes left.'))),
  mfaEnrollmentRequired: z.optional(
    z.literal(true).check(z.describe('`AUTH_MFA=required` and the user has no second factor yet: only enrolment routes answer.')),
  ),
});

const problem = z
  .object({
    type: z.string().check(z.describe('`urn:latch:problem:<code>`.')),
    title: z.string(),
    status: z.int(),
    detail: z.string().check(z.describe('A human text; clients switch on `code`, never on texts.')),
    code: z.enum(KNOWN_CODES as [string, ...string[]]).check(z.describe('Stable code that clients switch on.')),
    errors: z.optional(z.record(z.string(), z.array(z.string())).check(z.describe('Field name → messages (422, and 400 for a wrong JSON type).'))),
    mfaToken: z.optional(z.string().check(z.describe('`mfa_required`: send it to `POST /session/mfa` with a code.'))),
    mfaMethods: z.optional(z.array(z.string()).check(z.describe('`mfa_required`: `totp`, `recovery_code`, `webauthn`.'))),
    expiresIn: z.optional(z.int().check(z.describe('`mfa_required`: seconds the `mfaToken` lives.'))),
    reauthMethods: z.optional(z.array(z.string()).check(z.describe('`reauthentication_required`: `password`, `totp`, `recovery_code`, ….'))),
    reauthAal: z.optional(z.enum(['aal1', 'aal2']).check(z.describe('`reauthentication_required`: the level needed.'))),
  })
  .check(z.describe('RFC 9457 problem details, sent as `application/problem+json`.'));

const session = z.object({
  id: z.string().check(z.describe('The `sid` of the session’s tokens.')),
  createdAt: isoTime('ISO 8601.'),
  lastUsedAt: isoTime('ISO 8601; moves on renewal.'),
  userAgent: z.nullable(z.string()),
  ip: z.nullable(z.string()),
  current: z.boolean().check(z.describe('True for the session the call was made with.')),
  client: z
    .nullable(z.string())
    .check(z.describe('`null` for a direct API sign-in, `"ui"` for the hosted pages, or the hand-off client id (`docs/specs/hosted-ui.md` §3).')),
});

const auditEvent = z
  .object({
    id: z.string().check(z.describe('A ulid.')),
    type: z.string().check(z.describe('A type of the catalogue (`docs/audit.md`).')),
    outcome: z.enum(['success', 'failure']),
    at: isoTime('ISO 8601 UTC with milliseconds.'),
    actor: z.object({ kind: z.enum(['user', 'admin', 'operator', 'system', 'anonymous']), id: z.optional(z.string()) }),
    userId: z.nullable(z.string()),
    sessionId: z.nullable(z.string()),
    ip: z.nullable(z.string()),
    userAgent: z.nullable(z.string()),
    details: z.record(z.string(), z.unknown()),
    emailHash: z.optional(z.nullable(z.string()).check(z.describe('Admin routes only: HMAC-SHA256 of the canonical address under the audit key.'))),
  })
  .check(z.describe('An audit event. Never a password, token, code, secret or address.'));

const passkey = z
  .object({
    id: z.string().check(z.describe('The credential id (base64url).')),
    name: z.string(),
    createdAt: isoTime('ISO 8601.'),
    lastUsedAt: z.nullable(isoTime('ISO 8601.')),
    deviceType: z.enum(['singleDevice', 'multiDevice']),
    backedUp: z.boolean(),
    transports: z.array(z.string()),
    discoverable: z.boolean().check(z.describe('Signs in without a password (a resident key).')),
    disabled: z.boolean().check(z.describe('Refused since its signature counter went backwards.')),
  })
  .check(z.describe('A passkey (WebAuthn credential). Never its public key.'));

const jwk = z.looseObject({ kty: z.string(), kid: z.string(), alg: z.optional(z.string()), crv: z.optional(z.string()), x: z.optional(z.string()) });

/** A provider identity (`docs/specs/social-sign-in.md` §6); admins also see `sub`. */
function identityOf(withSub: boolean) {
  const base = {
    provider: z.string(),
    name: z.nullable(z.string()),
    email: z.nullable(z.string()),
    emailVerified: z.boolean(),
    createdAt: isoTime('ISO 8601.'),
    lastUsedAt: isoTime('ISO 8601.'),
  };
  return withSub ? z.object({ ...base, sub: z.string() }) : z.object(base);
}

/** Every response body schema, by OpenAPI component name. */
export const responseSchemas = {
  User: user,
  UserBody: z.object({ user }),
  TokenPair: tokenPair,
  Problem: problem,
  Session: session,
  SessionList: z.object({ sessions: z.array(session), nextCursor: z.nullable(z.string()) }),
  UserList: z.object({ users: z.array(user), nextCursor: z.nullable(z.string()) }),
  AuditEvent: auditEvent,
  AuditEventList: z.object({
    events: z.array(auditEvent),
    nextCursor: z.nullable(z.string()).check(z.describe('Set while more may follow, even when this page is short (filters apply after the read).')),
  }),
  Invitation: z.object({ invitation: z.object({ email: z.string(), expiresAt: isoTime('ISO 8601.') }) }),
  EmailBody: z.object({ email: z.string() }),
  MfaStatus: z.object({
    mfa: z.object({
      enabled: z.boolean(),
      totp: z.nullable(z.object({ enabledAt: isoTime('ISO 8601.') })),
      passkeys: z.number().check(z.describe('Registered passkeys.')),
      recoveryCodes: z.nullable(z.object({ remaining: z.number(), createdAt: isoTime('ISO 8601.') })),
    }),
  }),
  TotpEnrollment: z.object({
    totp: z.object({
      secret: z.string().check(z.describe('Base32, 160 bits: for manual entry in an authenticator app.')),
      otpauthUri: z.string().check(z.describe('`otpauth://totp/…`: draw it as a QR code.')),
      expiresAt: isoTime('When the pending enrolment expires (ISO 8601).'),
    }),
  }),
  TotpConfirmation: z.object({
    user,
    recoveryCodes: z.optional(z.array(z.string()).check(z.describe('`XXXX-XXXX-XXXX-XXXX`, shown once: only when the user had none.'))),
  }),
  RecoveryCodes: z.object({ recoveryCodes: z.array(z.string()).check(z.describe('`XXXX-XXXX-XXXX-XXXX`, shown once.')) }),
  Reauthenticated: z.object({
    reauthenticatedUntil: isoTime('Until when (R) routes pass without credentials (ISO 8601).'),
    aal: z.enum(['aal1', 'aal2']),
    recoveryCodesRemaining: z.optional(z.number()),
  }),
  // --- social sign-in ---
  OAuthProviders: z.object({ providers: z.array(z.object({ id: z.string(), name: z.string() })) }),
  OAuthAuthorization: z.object({
    authorizationUrl: z.string().check(z.describe("Open it in a browser (or the system's auth session).")),
    flowSecret: z.string().check(z.describe('Keep it in memory; send it with the callback. Never to the provider.')),
    expiresIn: z.number(),
  }),
  OAuthNonce: z.object({ nonce: z.string(), expiresIn: z.number() }),
  IdentityBody: z.object({ identity: identityOf(false) }),
  IdentityList: z.object({ identities: z.array(identityOf(false)) }),
  AdminIdentityList: z.object({ identities: z.array(identityOf(true)) }),
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §7.1).
  Passkey: z.object({ passkey }),
  PasskeyAdded: z.object({
    passkey,
    recoveryCodes: z.optional(
      z.array(z.string()).check(z.describe('`XXXX-XXXX-XXXX-XXXX`, shown once: only as the first second factor when the user had none.')),
    ),
  }),
  PasskeyList: z.object({ passkeys: z.array(passkey) }),
  PasskeyRegistrationOptions: z.object({
    options: z
      .looseObject({ challenge: z.string(), rp: z.looseObject({ id: z.optional(z.string()), name: z.string() }) })
      .check(z.describe('PublicKeyCredentialCreationOptionsJSON: pass it to `startRegistration({ optionsJSON })` of `@simplewebauthn/browser`.')),
  }),
  PasskeySignInOptions: z.object({
    options: z
      .looseObject({ challenge: z.string(), rpId: z.optional(z.string()) })
      .check(z.describe('PublicKeyCredentialRequestOptionsJSON without `allowCredentials`: pass it to `startAuthentication({ optionsJSON })`.')),
    expiresIn: z.int().check(z.describe('Seconds the challenge lives.')),
  }),
  // --- pk2 ---
  PasskeyAssertionOptions: z.object({
    options: z
      .looseObject({ challenge: z.string(), rpId: z.optional(z.string()), allowCredentials: z.optional(z.array(z.looseObject({ id: z.string() }))) })
      .check(
        z.describe('PublicKeyCredentialRequestOptionsJSON with `allowCredentials` = the user’s passkeys: pass it to `startAuthentication({ optionsJSON })`.'),
      ),
  }),
  UiRedirect: z.object({ redirect: z.string().check(z.describe('The hosted page to show next.')) }),
  // --- end pk2 ---
  Message: z.object({ message: z.string().check(z.describe('A human text; the same whatever the input.')) }),
  Jwks: z.object({ keys: z.array(jwk) }).check(z.describe('Public signing keys only: each with a unique `kid`.')),
  OpenIdConfiguration: z.looseObject({ issuer: z.string(), jwks_uri: z.string() }),
  OpenApiDocument: z.looseObject({
    openapi: z.string(),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.unknown()),
  }),
  // --- the hand-off (docs/specs/hosted-ui.md §6) ---
  OAuth2Token: z
    .object({
      access_token: z.string().check(z.describe('The access JWT of a new Latch session for the client.')),
      token_type: z.literal('Bearer'),
      expires_in: z.int().check(z.describe('Seconds the access token lives.')),
      refresh_token: z.string().check(z.describe('The Latch renewal token of that session; usable only by this client.')),
    })
    .check(z.describe('RFC 6749 §5.1 token response.')),
  OAuth2Error: z
    .object({
      error: z.enum(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'temporarily_unavailable']),
      error_description: z.optional(z.string()),
    })
    .check(z.describe('RFC 6749 §5.2 error response (not problem+json: standard OAuth clients expect it).')),
  // --- end hand-off ---
};
