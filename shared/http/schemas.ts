import * as z from 'zod/mini';

/**
 * JSON shapes of request bodies: types only (a wrong type is 400). Presence and field rules are
 * checked by the flows (422), so they hold for the CLI as well. Unknown members are dropped.
 * Only what `httpFunction` enforces (`route-requests.ts`) is here: every function bundle builds
 * these at init. Shapes that are documentation only (query strings, the hand-off's form) are in
 * `doc-schemas.ts`, which only the route documentation imports (issue 17, row 6).
 */
export const schemas = {
  registration: z.object({
    email: z.optional(z.string()),
    password: z.optional(z.string()),
    passwordConfirmation: z.optional(z.string()),
    /** hosted-ui.md §8: `en` or `de` (else 422 `errors.locale`). */
    locale: z.optional(z.string()),
  }),
  signIn: z.object({
    email: z.optional(z.string()),
    password: z.optional(z.string()),
    rememberMe: z.optional(z.boolean()),
  }),
  renew: z.object({ renewalToken: z.optional(z.string()) }),
  email: z.object({ email: z.optional(z.string()) }),
  invite: z.object({ email: z.optional(z.string()) }),
  acceptInvitation: z.object({
    password: z.optional(z.string()),
    passwordConfirmation: z.optional(z.string()),
  }),
  updateMe: z.object({
    currentPassword: z.optional(z.string()),
    email: z.optional(z.string()),
    password: z.optional(z.string()),
    passwordConfirmation: z.optional(z.string()),
    /** hosted-ui.md §8: `en` or `de` (a change of `locale` alone needs no `currentPassword`). */
    locale: z.optional(z.string()),
  }),
  deleteMe: z.object({ currentPassword: z.optional(z.string()) }),
  /** The credential members of a step-up route (`docs/specs/mfa-and-passkeys.md` §4). */
  stepUp: z.object({ currentPassword: z.optional(z.string()), code: z.optional(z.string()) }),
  mfaCode: z.object({ code: z.optional(z.string()) }),
  /** `POST /session/mfa`: the second step of a sign-in. */
  mfaSignIn: z.object({ mfaToken: z.optional(z.string()), code: z.optional(z.string()), method: z.optional(z.string()) }),
  // Passkeys: `credential` is the browser's PublicKeyCredential JSON (`@simplewebauthn/browser`'s output).
  addPasskey: z.object({ credential: z.optional(z.record(z.string(), z.unknown())), name: z.optional(z.string()) }),
  renamePasskey: z.object({ name: z.optional(z.string()) }),
  passkeySignIn: z.object({ credential: z.optional(z.record(z.string(), z.unknown())), rememberMe: z.optional(z.boolean()) }),
  // --- pk2: a passkey as the second factor and for step-up ---
  mfaToken: z.object({ mfaToken: z.optional(z.string()) }),
  passkeyMfa: z.object({ mfaToken: z.optional(z.string()), credential: z.optional(z.record(z.string(), z.unknown())) }),
  passkeyAssertion: z.object({ credential: z.optional(z.record(z.string(), z.unknown())) }),
  // --- end pk2 ---
  newPassword: z.object({
    password: z.optional(z.string()),
    passwordConfirmation: z.optional(z.string()),
  }),
  adminCreateUser: z.object({
    email: z.optional(z.string()),
    password: z.optional(z.string()),
    role: z.optional(z.string()),
    emailConfirmed: z.optional(z.boolean()),
  }),
  adminUpdateUser: z.object({
    email: z.optional(z.string()),
    role: z.optional(z.string()),
    emailConfirmed: z.optional(z.boolean()),
  }),
  adminSetPassword: z.object({
    password: z.optional(z.string()),
    passwordConfirmation: z.optional(z.string()),
  }),
  // --- social sign-in (docs/specs/social-sign-in.md) ---
  oauthAuthorize: z.object({
    redirectUri: z.optional(z.string()),
    intent: z.optional(z.string()),
    rememberMe: z.optional(z.boolean()),
    invitationToken: z.optional(z.string()),
    currentPassword: z.optional(z.string()),
    code: z.optional(z.string()),
  }),
  oauthCallback: z.object({
    callbackUrl: z.optional(z.string()),
    flowSecret: z.optional(z.string()),
    callbackParams: z.optional(z.record(z.string(), z.string())),
    code: z.optional(z.string()),
  }),
  oauthCreate: z.object({ pendingToken: z.optional(z.string()), flowSecret: z.optional(z.string()), email: z.optional(z.string()) }),
  oauthIdToken: z.object({
    idToken: z.optional(z.string()),
    nonce: z.optional(z.string()),
    intent: z.optional(z.string()),
    rememberMe: z.optional(z.boolean()),
    invitationToken: z.optional(z.string()),
    currentPassword: z.optional(z.string()),
    code: z.optional(z.string()),
  }),
  linkIdentity: z.object({
    pendingToken: z.optional(z.string()),
    flowSecret: z.optional(z.string()),
    currentPassword: z.optional(z.string()),
    code: z.optional(z.string()),
  }),
};
