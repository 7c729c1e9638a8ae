import type { FieldErrors } from '../domain/errors.js';
import type { PublicUser } from '../domain/types.js';
import type { MailMessage } from '../ports/services.js';

/** Where a request came from, as hooks see it. */
export interface HookRequest {
  ip: string | null;
  userAgent: string | null;
}

/**
 * Extension points around Latch's flows, written by a deployer in their own module and wired in
 * with the `hooksModule` construct prop (bundled into every function by esbuild) or the
 * `LATCH_HOOKS_MODULE` variable locally. Every hook is optional and async.
 *
 * `before*` hooks run before anything is written: throwing {@link HookRejection} refuses the
 * request with a contract code and changes nothing. `after*` hooks run after the write has
 * committed: they are notifications; their errors are logged and never undo or fail the request.
 */
export interface LatchHooks {
  /** Before a user is created by registration. Reject with field errors, or return extra attributes to store. */
  beforeRegistration?(ctx: { email: string; attributes: Record<string, unknown>; request: HookRequest }): Promise<void | { attributes?: Record<string, unknown> }>;
  afterRegistration?(ctx: { user: PublicUser; request: HookRequest }): Promise<void>;
  /** After the password was verified, before a session is created (e.g. an IP allow-list). */
  beforeSignIn?(ctx: { user: PublicUser; request: HookRequest }): Promise<void>;
  afterSignIn?(ctx: { user: PublicUser; sessionId: string; request: HookRequest }): Promise<void>;
  /** Extra claims for every access token issued (sign-in and renewal). Registered claims cannot be replaced. */
  tokenClaims?(ctx: { user: PublicUser; sessionId: string }): Promise<Record<string, unknown>>;
  afterPasswordChange?(ctx: { user: PublicUser; reason: 'change' | 'reset' | 'admin' | 'invitation' }): Promise<void>;
  afterLock?(ctx: { user: PublicUser; by: string | null }): Promise<void>;
  afterUnlock?(ctx: { user: PublicUser; by: string | null }): Promise<void>;
  /** Replace a mail's rendering (return a message) or keep the built-in one (return nothing). */
  renderMail?(ctx: { template: string; message: MailMessage }): Promise<MailMessage | void>;
  /** Send a mail yourself (return true) instead of through SES. */
  sendMail?(message: MailMessage): Promise<boolean>;
}

/**
 * Thrown by a `before*` hook to refuse a request. `field` errors answer `422 validation_failed`;
 * `forbidden` answers `403 forbidden` with the given detail.
 */
export class HookRejection extends Error {
  readonly errors: FieldErrors | undefined;
  constructor(
    readonly kind: 'validation_failed' | 'forbidden',
    detail: string,
    errors?: FieldErrors,
  ) {
    super(detail);
    this.name = 'HookRejection';
    this.errors = errors;
  }

  /** Refuses with one field error (422). */
  static field(field: string, message: string): HookRejection {
    return new HookRejection('validation_failed', 'The request has invalid fields.', { [field]: [message] });
  }

  /** Refuses with 403 forbidden. */
  static forbidden(detail = 'You are not allowed to do this.'): HookRejection {
    return new HookRejection('forbidden', detail);
  }
}

/** Helps a deployer's module type-check: `export default defineHooks({ ... })`. */
export function defineHooks(hooks: LatchHooks): LatchHooks {
  return hooks;
}
