/** Role names. `user` and `admin` always exist; deployments may configure more. */
export type Role = string;

/** A user as stored. `passwordHash` never leaves the flows (see {@link toPublicUser}). */
export interface User {
  id: string;
  /** The canonical form of the address (see `canonicalizeEmail`); mail goes here. */
  email: string;
  /** Lookup and uniqueness key (see `canonicalizeEmail`). */
  emailCanonical: string;
  emailConfirmed: boolean;
  /** A pending email change (canonical form) waiting for confirmation; not reserved. */
  unconfirmedEmail: string | null;
  /** argon2id PHC string, or null for invited users and admin-created users without one. */
  passwordHash: string | null;
  role: Role;
  locked: boolean;
  /** Id of the user who invited this one. */
  invitedBy: string | null;
  /** True until an invited user accepts. Such a user cannot sign in. */
  invitationPending: boolean;
  /**
   * Bumped by every operation that revokes all sessions (lock, password change or reset,
   * delete). Session creation and renewal are conditioned on it, which closes the race
   * between "revoke everything" and a concurrent sign-in or renewal.
   */
  sessionEpoch: number;
  /**
   * Bumped by every session creation. Revoke-all is conditioned on it, so a session created
   * after revoke-all listed the sessions makes revoke-all retry instead of missing it.
   */
  sessionSeq: number;
  /** Deployment-defined attributes (validated by configuration). */
  attributes: Record<string, unknown>;
  /**
   * Epoch seconds, only on a self-registered account that was never confirmed: the expiry of its
   * last confirmation link. From then on the account and its email claim are as good as gone
   * (every read checks it; DynamoDB's TTL deletes them late) and the address registers afresh.
   * Moved forward by each re-registration or resend, removed by confirmation. Absent (or null)
   * on every other account.
   */
  expiresAt?: number | null;
  /**
   * SHA-256 (base64url) of the password hash whose breach notice was mailed (sign-in check,
   * `AUTH_BREACHED_PASSWORD_ON_SIGN_IN=notify`): one notice per password. Absent until then.
   */
  breachNoticeHash?: string;
  /**
   * The format of `passwordHash` when it is not Latch's argon2id (`docs/specs/import-export.md`
   * §4): an imported legacy hash, verified with its own function and replaced by argon2id at the
   * first successful sign-in. Absent or null: argon2id. A hash that starts with `$argon2id$`
   * under a non-argon2 format is one a Latch flow set later (e.g. a password reset): it is
   * verified as argon2id (see `shared/flows/legacy-passwords.ts`).
   */
  passwordFormat?: string | null;
  /** The entry of the import pepper secret that goes with a legacy hash (never the pepper). */
  passwordPepperId?: string | null;
  /** The salt of a (wrapped) weak digest, and where it goes. */
  passwordSalt?: string | null;
  passwordSaltPosition?: 'prefix' | 'suffix' | null;
  /** When a legacy hash was replaced by argon2id at sign-in. */
  passwordUpgradedAt?: string | null;
  /** When `npx latch users import` created this user. */
  importedAt?: string | null;
  /** True while the user has a second factor (a confirmed TOTP; later passkeys). Absent: false. */
  mfaEnabled?: boolean;
  /** The confirmed TOTP factor; absent while TOTP is off. */
  totp?: TotpFactor;
  /** Recovery codes by id: only argon2id hashes (`docs/specs/mfa-and-passkeys.md` §6.2). Absent without a second factor. */
  recoveryCodes?: Record<string, RecoveryCodeEntry>;
  /** When the current set of recovery codes was made. */
  recoveryCodesCreatedAt?: string;
  /** The user's language for pages and mails (`docs/specs/hosted-ui.md` §8): one of `USER_LOCALES`; absent or null: none chosen. */
  locale?: string | null;
  /** Registered passkeys (`docs/specs/mfa-and-passkeys.md` §12). Absent: 0. */
  passkeyCount?: number;
  /**
   * Ways to sign in without help (`docs/specs/mfa-and-passkeys.md` §7.4): the password (1 when
   * set), each provider identity and each discoverable passkey. Absent until an identity or a
   * passkey is added (every such write sets it): then derived from the item (1 with a password,
   * else 0; `signInMethodsOf` in `passkeys.ts`).
   */
  signInMethods?: number;
  createdAt: string;
  updatedAt: string;
}

/** A confirmed TOTP factor as stored on the user. */
export interface TotpFactor {
  /** The base32 secret encrypted under the data-key ring (purpose `totp`), never in clear. */
  secretEnc: string;
  /** The last time step spent (confirmation, sign-in, step-up): a code of this step or earlier is refused (replay). */
  lastStep: number;
  enabledAt: string;
}

/** One recovery code as stored: its low-cost argon2id hash, and when it was spent. */
export interface RecoveryCodeEntry {
  hash: string;
  usedAt?: string;
}

/** A TOTP enrolment waiting for its confirming code (`USER#<id>` / `TOTP_PENDING`). */
export interface TotpPending {
  userId: string;
  /** The secret encrypted under the data-key ring (purpose `totp_pending`). */
  secretEnc: string;
  /** Epoch seconds; checked on every read and in the confirming write (TTL deletes late). */
  expiresAt: number;
}

/**
 * The challenge of a two-step sign-in (`USER#<id>` / `MFA#<sha256(secret)>`,
 * `docs/specs/mfa-and-passkeys.md` §5): what the first factor established, waiting for the second.
 */
export interface MfaChallenge {
  userId: string;
  /** SHA-256 (base64url) of the `mfaToken`'s secret: the secret itself is never stored. */
  hash: string;
  rememberMe: boolean;
  /** The first factor's `amr` (`["pwd"]`, `["fed"]`). */
  firstFactorAmr: string[];
  /** How the first factor signed in, for the session's `sign_in` event (`password`, `provider`). */
  method: string;
  /** The provider of a provider sign-in's first factor (the hooks' `method` `oauth:<provider>`). */
  provider?: string;
  /** The user's `sessionEpoch` at the first step: a lock, reset or revoke-all since makes the token useless. */
  sessionEpoch: number;
  /** Wrong answers so far (at most `AUTH_MFA_MAX_ATTEMPTS`, under a conditional write). */
  attempts: number;
  /** Carried to the final token pair (e.g. `password_compromised`). */
  warnings: string[];
  ip: string | null;
  userAgent: string | null;
  /** Epoch seconds; checked on every read and in every condition (TTL deletes late). */
  expiresAt: number;
}

/** The user object of the HTTP contract. */
export interface PublicUser {
  id: string;
  email: string;
  emailConfirmed: boolean;
  unconfirmedEmail: string | null;
  role: Role;
  locked: boolean;
  invitedBy: string | null;
  createdAt: string;
  updatedAt: string;
  /** True while the user has a second factor (`docs/specs/mfa-and-passkeys.md` §8.2). */
  mfaEnabled: boolean;
  /** True when the user can sign in with a password. */
  hasPassword: boolean;
  /** The language of the user's pages and mails (`en`, `de`), or null. */
  locale: string | null;
  [attribute: string]: unknown;
}

/** True when `user` is a never-confirmed account whose last confirmation link expired by `now` (epoch seconds). */
export function accountExpired(user: Pick<User, 'expiresAt'>, now: number): boolean {
  return typeof user.expiresAt === 'number' && user.expiresAt <= now;
}

/** Maps a stored user to the contract's user object. Never includes a hash. */
export function toPublicUser(user: User): PublicUser {
  return {
    ...user.attributes,
    id: user.id,
    email: user.email,
    emailConfirmed: user.emailConfirmed,
    unconfirmedEmail: user.unconfirmedEmail,
    role: user.role,
    locked: user.locked,
    invitedBy: user.invitedBy,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    mfaEnabled: user.mfaEnabled === true,
    hasPassword: user.passwordHash !== null,
    locale: user.locale ?? null,
  };
}

/** A signed-in session. Its `id` is the `sid` claim of its access tokens. */
export interface Session {
  id: string;
  userId: string;
  /** Role and email as of the last issue/renewal: what the authorizer passes to backends. */
  role: Role;
  email: string;
  /** `jti` of the only access token of this session that is accepted. */
  currentJti: string;
  /** SHA-256 (base64url) of the current renewal token's secret. */
  renewalHash: string;
  /**
   * Generation of the current renewal token: 0 at creation, +1 per renewal. A token of a lower
   * generation whose MAC checks out is a spent one: presenting it revokes the session.
   */
  renewalGeneration: number;
  /**
   * Per-session HMAC key (256 bits, base64url) that renewal secrets carry a MAC under (see
   * `renewalSecret`). It proves a presented old token was really issued, so a forged one cannot
   * revoke someone else's session; it cannot produce a token that renews.
   */
  renewalKey: string;
  rememberMe: boolean;
  createdAt: string;
  lastUsedAt: string;
  /** Epoch seconds; fixed at creation, renewal never moves it. */
  expiresAt: number;
  userAgent: string | null;
  ip: string | null;
  /**
   * How the session was (last) authenticated, RFC 8176 values (`docs/specs/mfa-and-passkeys.md`
   * §3). Absent on sessions created before: they read as `["pwd"]`.
   */
  amr?: string[];
  /** Epoch seconds of the session's last authentication event. Absent: its `createdAt`. */
  authTime?: number;
  /**
   * Who the session is for (`docs/specs/hosted-ui.md` §3): absent/`null` for a direct API
   * sign-in, `"ui"` for a hosted-UI session, or a hand-off client id (sessions made by
   * `POST /oauth2/token`). Only that client may renew it.
   */
  client?: string | null;
  /** A UI session: SHA-256 (base64url) of the `__Host-latch_ui` cookie's secret. Such a session has no access or renewal token. */
  uiHash?: string;
  /** A UI session: 256 random bits (base64url); its forms' CSRF tokens are HMAC-SHA256(csrfSecret, form id). */
  csrfSecret?: string;
}

/** Kinds of single-use tokens that travel by mail. One live token per user and kind. */
export type MailTokenKind = 'confirmation' | 'reset' | 'invitation';

/** A single-use mail token as stored: only its hash. */
export interface MailToken {
  userId: string;
  kind: MailTokenKind;
  /** SHA-256 (base64url) of the secret part. */
  hash: string;
  /** For confirmation: the address it confirms (the stored email or the pending one). */
  email: string;
  createdAt: string;
  /** Epoch seconds. Checked on every read: DynamoDB's TTL deletes late. */
  expiresAt: number;
}
