import type { ProblemCode } from './problems.js';

/**
 * What each problem code means, from the contract: the OpenAPI document's description of the code
 * (`shared/http/openapi.ts`). Kept beside {@link PROBLEMS} (`problems.ts`), the one table of
 * codes, and out of it so that only the bundle that serves the document carries the text (issue
 * 17, row 6); the type asks for exactly one entry per code.
 */
export const PROBLEM_DOCS: { readonly [C in ProblemCode]: string } = {
  bad_request: 'the body is not JSON, not an object, or a field has the wrong JSON type (`errors` names the fields)',
  validation_failed: 'a field is missing, empty or breaks a rule (`errors` maps field names to messages)',
  unauthorized: 'the access token (or renewal token) is missing, invalid, expired or revoked',
  invalid_credentials: 'unknown email, wrong password or missing credential: the same answer for each',
  email_not_confirmed: 'the email is not confirmed yet (a new confirmation mail has been sent)',
  account_locked: 'the account is locked',
  password_compromised:
    'the correct password is in the breached or common lists and `AUTH_BREACHED_PASSWORD_ON_SIGN_IN=block`: no session; a reset mail has been sent',
  forbidden: 'the caller is not allowed to do this (e.g. not an admin)',
  not_found: 'no such resource',
  method_not_allowed: 'the path exists, the method does not (see `Allow`)',
  invalid_token: 'the mailed token is unknown, expired or already used',
  too_many_attempts: 'too many failed sign-ins for this email or address; come back after `Retry-After` seconds',
  payload_too_large: 'the body is over 65,536 bytes',
  unsupported_media_type: 'the body is sent with a `Content-Type` other than `application/json`',
  service_unavailable: 'a dependency failed; retry after `Retry-After` seconds',
  invalid_code: 'a wrong, malformed or already used TOTP or recovery code (`POST /session/reauthenticate`)',
  reauthentication_required:
    'the route needs fresh authentication or credentials in the body; members `reauthMethods`, `reauthAal`, and `WWW-Authenticate: Bearer error="insufficient_user_authentication", max_age=…` (RFC 9470)',
  already_enabled: 'TOTP is already on; a passkey credential is already registered (to this or another user)',
  mfa_not_enabled: 'recovery codes asked for while the user has no second factor',
  mfa_required:
    'the password was right and the user has a second factor: no token, no session. Members `mfaToken` (send it to `POST /session/mfa` with a code), `mfaMethods` (`totp`, `recovery_code`, `webauthn`), `expiresIn` (seconds)',
  mfa_enrollment_required:
    '`AUTH_MFA=required`, the session has no second factor yet, and the route is not an enrolment route; also removing the last second factor then',
  oauth_failed:
    "the provider refused, the token exchange failed, or its answer failed validation (signature, `iss`, `aud`, `exp`, `nonce`, redirect URI); the flow's state is spent",
  identity_taken: 'the provider account is bound to another user',
  registration_closed: 'a provider sign-in would create a user while `AUTH_OAUTH_REGISTRATION=false` and no invitation is presented',
  last_sign_in_method: "removing the password or a passkey that is the user's last way to sign in",
  internal_error: 'a bug on the server side (no details are given)',
};
