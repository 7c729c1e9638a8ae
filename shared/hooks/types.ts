import type { FieldErrors } from '../domain/errors.js';
import type { PublicUser } from '../domain/types.js';
import type { MailMessage } from '../ports/services.js';

/** Where a request came from, as hooks see it. */
export interface HookRequest {
  ip: string | null;
  userAgent: string | null;
}

/** Why a password was set (`afterPasswordChange`). */
export type PasswordChangeReason = 'change' | 'reset' | 'admin' | 'invitation';

/**
 * Extension points around Latch's flows, written by a deployer in their own module and wired in
 * with the `hooksModule` construct prop (bundled into every function by esbuild) or the
 * `LATCH_HOOKS_MODULE` variable locally. Every hook is optional and async.
 *
 * `before*` hooks (and `tokenClaims`, `renderMail`) run before anything is written: throwing
 * {@link HookRejection} refuses the request with a contract code and changes nothing; any other
 * error answers `503 service_unavailable` (logged with the hook's name) and changes nothing.
 * `after*` hooks run after the write has committed: they are notifications; their errors are
 * logged and never undo or fail the request. They run before the response is sent, so keep them
 * quick (hand slow work to a queue).
 */
export interface LatchHooks {
  /**
   * Before a user is created by `POST /registration` (after the body passed its field rules,
   * before the password is hashed). Reject with field errors (`422`) or `forbidden` (`403`), or
   * return declared attributes to store (they win over what the client sent).
   */
  beforeRegistration?(ctx: {
    email: string;
    attributes: Record<string, unknown>;
    request: HookRequest;
    // biome-ignore lint/suspicious/noConfusingVoidType: a hook may end without returning anything
  }): Promise<void | { attributes?: Record<string, unknown> }>;
  /** After a new user was stored by `POST /registration` (not for an already registered email). */
  afterRegistration?(ctx: { user: PublicUser; request: HookRequest }): Promise<void>;
  /**
   * At `POST /session`, after the password, lock and confirmation checks, before the session is
   * created (e.g. an IP allow-list). Any rejection answers `403 forbidden` and does not count
   * as a failed sign-in. Runs once per sign-in, right before the session is created: for a
   * user with a second factor after the second step. `amr` is the session's (RFC 8176 values,
   * e.g. `["pwd","otp","mfa"]`, `["hwk","mfa"]`), `method` how the first factor signed in:
   * `"password"`, `"passkey"` or `"oauth:<provider>"`.
   */
  beforeSignIn?(ctx: { user: PublicUser; rememberMe: boolean; request: HookRequest; amr: string[]; method: string }): Promise<void>;
  /** After a sign-in created a session (once per sign-in, after the second step); `amr` and `method` as for `beforeSignIn`. */
  afterSignIn?(ctx: { user: PublicUser; sessionId: string; request: HookRequest; amr: string[]; method: string }): Promise<void>;
  /**
   * Extra claims for every access token issued (sign-in, registration without confirmation,
   * invitation acceptance, renewal). A JSON object of at most 1 KB; the registered claims
   * (`iss sub aud exp nbf iat jti sid role`) cannot be replaced and are dropped.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook may end without returning anything
  tokenClaims?(ctx: { user: PublicUser; sessionId: string }): Promise<Record<string, unknown> | void>;
  afterPasswordChange?(ctx: { user: PublicUser; reason: PasswordChangeReason }): Promise<void>;
  afterLock?(ctx: { user: PublicUser; by: string | null }): Promise<void>;
  afterUnlock?(ctx: { user: PublicUser; by: string | null }): Promise<void>;
  /**
   * Replace a mail's rendering (return `{ subject, text, html }`) or keep the built-in one
   * (return nothing). `data` is what the built-in template got (links, addresses, times).
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook may end without returning anything
  renderMail?(ctx: { template: string; data: Record<string, unknown>; message: MailMessage }): Promise<Omit<MailMessage, 'to'> | void>;
  /**
   * Lazy migration (`docs/specs/import-export.md` §7), modelled on Cognito's migrate-user trigger:
   * called when `POST /session` (`trigger: 'sign_in'`, with the submitted password) or `POST
   * /password-reset` (`'password_reset'`, `password: null`) finds no user for `email`, after the
   * lockout check let the attempt through. Ask the legacy system; return the user's fields when
   * it knows the address (for `sign_in`: only when it verified this password), or nothing.
   * Latch then creates the user (with argon2id of the submitted password, never a legacy hash)
   * and the request goes on as for an existing user.
   *
   * Nothing, `null`, an invalid result, an error or a time-out (`AUTH_MIGRATE_USER_TIMEOUT_MS`)
   * all mean "unknown email". The hook runs for every unknown email, so it adds its own time to
   * every such request alike.
   *
   * **`password` is the user's plaintext password: never log it, store it or send it anywhere
   * but the legacy system's own verification.**
   */
  migrateUser?(ctx: {
    /** Canonical form. */
    email: string;
    password: string | null;
    trigger: 'sign_in' | 'password_reset';
    request: HookRequest;
    // biome-ignore lint/suspicious/noConfusingVoidType: a hook may end without returning anything
  }): Promise<void | null | MigratedUser>;
  /** Send a mail yourself (return true) instead of through SES (return false or nothing). */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook may end without returning anything
  sendMail?(ctx: { template: string; message: MailMessage }): Promise<boolean | void>;
}

/** What a `migrateUser` hook returns for a known user (validated like a line of `latch users import`). */
export interface MigratedUser {
  emailConfirmed?: boolean;
  role?: string;
  attributes?: Record<string, unknown>;
  /** ISO 8601. */
  createdAt?: string;
  /** A UUID, e.g. Cognito's `sub`. */
  id?: string;
}

/** The names of all hooks. */
export const HOOK_NAMES = [
  'beforeRegistration',
  'afterRegistration',
  'beforeSignIn',
  'afterSignIn',
  'tokenClaims',
  'afterPasswordChange',
  'afterLock',
  'afterUnlock',
  'renderMail',
  'sendMail',
  'migrateUser',
] as const satisfies ReadonlyArray<keyof LatchHooks>;

/**
 * Marks rejections across bundles: a deployer's module is bundled on its own (`latch-hooks.mjs`), with
 * its own copy of this class, so `instanceof` alone would miss its rejections.
 */
const BRAND = Symbol.for('latch.HookRejection');

/**
 * Thrown by a `before*` hook to refuse a request. `field` errors answer `422 validation_failed`;
 * `forbidden` answers `403 forbidden` with the given detail.
 */
export class HookRejection extends Error {
  readonly errors: FieldErrors | undefined;
  readonly [BRAND] = true;
  constructor(
    readonly kind: 'validation_failed' | 'forbidden',
    detail: string,
    errors?: FieldErrors,
  ) {
    super(detail);
    this.name = 'HookRejection';
    this.errors = errors;
  }

  /** Refuses with one field error (422), e.g. `HookRejection.field('email', 'is not allowed')`. */
  static field(field: string, message: string): HookRejection {
    return new HookRejection('validation_failed', 'The request has invalid fields.', { [field]: [message] });
  }

  /** Refuses with 403 forbidden. */
  static forbidden(detail = 'You are not allowed to do this.'): HookRejection {
    return new HookRejection('forbidden', detail);
  }
}

/** True for a {@link HookRejection}, also one thrown by a separately bundled copy of the class. */
export function isHookRejection(error: unknown): error is HookRejection {
  if (error instanceof HookRejection) return true;
  if (typeof error !== 'object' || error === null || (error as Record<symbol, unknown>)[BRAND] !== true) return false;
  const kind = (error as { kind?: unknown }).kind;
  return kind === 'validation_failed' || kind === 'forbidden';
}

/** Helps a deployer's module type-check: `export default defineHooks({ ... })`. */
export function defineHooks(hooks: LatchHooks): LatchHooks {
  return hooks;
}
