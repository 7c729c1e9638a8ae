import type * as z from 'zod/mini';
import type { PageRouteKey, Route } from './routes.js';
import { schemas } from './schemas.js';

/** A request body schema: a zod/mini object of optional, typed fields (a wrong type is 400). */
export type RequestSchema = z.ZodMiniObject;

type BodyRouteKey<R> = R extends { method: infer M extends string; path: infer P extends string; body: true } ? `${M} ${P}` : never;

/** The API routes of the table that take a JSON body (the hosted pages' forms are not API routes). */
export type BodyRouteKeys = Exclude<BodyRouteKey<Route>, PageRouteKey>;

/**
 * The request schema of every API route with a body: the ONE place it is named. `httpFunction`
 * checks every body against it (400 on a wrong JSON type) before the handler runs and hands the
 * handler the parsed, typed result; the OpenAPI document shows the same schema (`routeDocOf` in
 * `route-docs.ts` adds it to the route's documentation). Kept apart from the documentation so
 * that a function's bundle carries the schemas without the documentation text (issue 17, row 6).
 * A body route of the table without an entry here does not compile, nor does an entry for a
 * route without a body.
 */
export const routeRequests = {
  'POST /registration': schemas.registration,
  'POST /session': schemas.signIn,
  'POST /session/renew': schemas.renew,
  'POST /session/reauthenticate': schemas.stepUp,
  'POST /session/mfa': schemas.mfaSignIn,
  'POST /me/mfa/totp': schemas.stepUp,
  'POST /me/mfa/totp/confirm': schemas.mfaCode,
  'DELETE /me/mfa/totp': schemas.stepUp,
  'POST /me/mfa/recovery-codes': schemas.stepUp,
  'POST /me/passkeys/options': schemas.stepUp,
  'POST /me/passkeys': schemas.addPasskey,
  'PATCH /me/passkeys/{id}': schemas.renamePasskey,
  'DELETE /me/passkeys/{id}': schemas.stepUp,
  'POST /session/passkey': schemas.passkeySignIn,
  'DELETE /me/password': schemas.stepUp,
  'POST /session/mfa/webauthn/options': schemas.mfaToken,
  'POST /session/mfa/webauthn': schemas.passkeyMfa,
  'POST /session/reauthenticate/webauthn': schemas.passkeyAssertion,
  'POST /email-confirmation/resend': schemas.email,
  'POST /invitations': schemas.invite,
  'POST /invitations/{token}': schemas.acceptInvitation,
  'PATCH /me': schemas.updateMe,
  'DELETE /me': schemas.deleteMe,
  'POST /password-reset': schemas.email,
  'POST /password-reset/{token}': schemas.newPassword,
  'POST /admin/users': schemas.adminCreateUser,
  'PATCH /admin/users/{id}': schemas.adminUpdateUser,
  'PUT /admin/users/{id}/password': schemas.adminSetPassword,
  'POST /oauth/{provider}/authorize': schemas.oauthAuthorize,
  'POST /oauth/{provider}/callback': schemas.oauthCallback,
  'POST /oauth/{provider}/create': schemas.oauthCreate,
  'POST /oauth/{provider}/id-token': schemas.oauthIdToken,
  'POST /me/identities': schemas.linkIdentity,
  'DELETE /me/identities/{provider}': schemas.stepUp,
} satisfies { [K in BodyRouteKeys]: RequestSchema };

/** The request schema of a route key, if the route takes a body. */
export function requestSchemaOf(key: string): RequestSchema | undefined {
  return (routeRequests as Record<string, RequestSchema>)[key];
}

/**
 * The request schemas for `httpFunction`'s options: the entries of the functions with a JSON body
 * route pass it (the compiler demands it there, from the route table), so zod/mini and the
 * schemas are bundled only where a body is checked (issue 17, row 6).
 */
export const WITH_REQUEST_SCHEMAS: { requestSchemas: typeof requestSchemaOf } = { requestSchemas: requestSchemaOf };
