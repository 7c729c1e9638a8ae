import { createHmac } from 'node:crypto';

/**
 * The audit log's event catalogue and the shape of an event (`docs/specs/audit-and-breached-
 * passwords.md` §2–§3). One place: the writers (`shared/flows/audit.ts`), the routes, the CLI,
 * `docs/audit.md` (a test checks it lists every type) and `/me/activity` all derive from
 * {@link AUDIT_EVENTS}.
 *
 * Events never hold a password, token, code, secret or plaintext email: details are limited to
 * the keys whitelisted per type, strings are cut to 256 characters, and addresses appear only as
 * `emailHash` (HMAC-SHA256 under the audit key).
 */

/** Who did it: `operator` is the CLI (its id the caller's AWS principal, or `local`). */
export type AuditActorKind = 'user' | 'admin' | 'operator' | 'system' | 'anonymous';

export interface AuditActor {
  kind: AuditActorKind;
  id?: string;
}

/**
 * How `/me/activity` shows a type: `true` shows it, `'actor-kind'` shows it with the actor's kind
 * but not its id (an admin or operator acted on the account), `false` keeps it for admins.
 */
export type MeVisibility = boolean | 'actor-kind';

interface EventSpec {
  /** The only keys `details` may hold. */
  readonly details: readonly string[];
  readonly me: MeVisibility;
  /** What the event records, for `docs/audit.md`. */
  readonly when: string;
}

/**
 * Every event type: its allowed detail keys, whether `/me/activity` shows it, and when it is
 * written. Features add their rows when they land (the spec's later events).
 */
export const AUDIT_EVENTS = {
  sign_in: {
    details: ['method', 'amr', 'reason'],
    me: true,
    when: 'every end of a sign-in: a session created, or the attempt refused at the first factor (`reason`)',
  },
  'lockout.start': { details: ['scope', 'failures', 'until'], me: true, when: 'a failed sign-in starts a lockout (of the email or the source address)' },
  registration: {
    details: ['method', 'reason'],
    me: true,
    when: 'an account is created; failure `already_registered` (under that account) when the email has one',
  },
  'email.confirmed': { details: ['toEmailHash'], me: true, when: 'an address is confirmed (a registration or a change)' },
  'email.change_requested': { details: ['toEmailHash'], me: true, when: 'a change of address waits for its confirmation' },
  'email.changed': { details: ['fromEmailHash', 'toEmailHash', 'by'], me: true, when: 'an address change is applied' },
  'password.changed': { details: ['first'], me: true, when: '`PATCH /me` changed the password, or set a first one' },
  'password.reset_requested': {
    details: [],
    me: true,
    when: '`POST /password-reset`: under the account, or under `NOUSER#<day>` with `emailHash` only for an unknown address',
  },
  'password.reset': { details: [], me: true, when: 'a reset link set a password' },
  'password.breached_on_sign_in': {
    details: ['action'],
    me: true,
    when: 'a correct password found in the breached or common lists at sign-in: once per password (`notify`) or on each blocked sign-in (`block`)',
  },
  'session.revoked': {
    details: ['by', 'reason', 'count'],
    me: true,
    when: 'sign-out, revoking one or all sessions, a lock, a reset, a password change or set, a deletion, the session cap (`by`: `self`, `admin`, `operator`, `system`)',
  },
  'renewal.reuse_detected': { details: [], me: true, when: 'a spent renewal token was presented and its session revoked' },
  'account.deleted': { details: [], me: false, when: '`DELETE /me`; carries the `emailHash`' },
  'invitation.created': { details: ['inviteeEmailHash'], me: true, when: 'an invitation is created or sent again' },
  'invitation.accepted': { details: ['method'], me: true, when: 'an invitation is accepted' },
  'admin.user_created': { details: ['role'], me: 'actor-kind', when: 'the admin API or the CLI created a user' },
  'admin.user_updated': { details: ['fields', 'roleFrom', 'roleTo'], me: 'actor-kind', when: 'the admin API or the CLI changed a user' },
  'admin.locked': { details: [], me: 'actor-kind', when: 'the admin API or the CLI locked a user' },
  'admin.unlocked': { details: [], me: 'actor-kind', when: 'the admin API or the CLI unlocked a user' },
  'admin.password_set': { details: [], me: 'actor-kind', when: 'the admin API or the CLI set a password' },
  'admin.user_deleted': { details: [], me: 'actor-kind', when: 'the admin API or the CLI deleted a user; carries the `emailHash`' },
  'authz.denied': { details: ['route'], me: false, when: '`403 forbidden` on an admin route (self-protection refusals included); subject = the caller' },
  'audit.exported': { details: ['from', 'to', 'count'], me: false, when: '`npx latch audit export` wrote a file' },
  'user.imported': { details: ['format'], me: 'actor-kind', when: '`npx latch users import` created the user (`format`: of its password hash, or `none`)' },
  'user.migrated': {
    details: ['fromFormat'],
    me: true,
    when: 'the `migrateUser` hook vouched for an unknown email and the user was created (`fromFormat`: `hook`)',
  },
  'password.upgraded': { details: ['fromFormat'], me: true, when: 'a legacy password hash verified at sign-in and was replaced by argon2id' },
  'import.completed': {
    details: ['imported', 'skipped', 'failed', 'dryRun'],
    me: false,
    when: '`npx latch users import` finished (counts; the operator as actor)',
  },
  'export.completed': {
    details: ['count', 'skippedInvited', 'withPasswordHashes'],
    me: false,
    when: '`npx latch users export` wrote a file (count, flags; the operator as actor)',
  },
  'mfa.totp_enabled': { details: ['method'], me: true, when: 'a TOTP enrolment was confirmed (`POST /me/mfa/totp/confirm`)' },
  'mfa.totp_disabled': { details: ['method'], me: true, when: '`DELETE /me/mfa/totp` turned TOTP off' },
  'mfa.recovery_codes_regenerated': { details: [], me: true, when: '`POST /me/mfa/recovery-codes` replaced every recovery code' },
  'recovery_code.used': { details: ['remaining'], me: true, when: 'a recovery code was spent (sign-in, step-up); `remaining` unused codes left' },
  reauthenticate: {
    details: ['method', 'aal', 'reason'],
    me: true,
    when: '`POST /session/reauthenticate` and `/webauthn`: success (`method`, `aal`), or failure with `reason` (`bad_password`, `bad_code`, `bad_passkey`)',
  },
  // Two-step sign-in and the admin MFA reset (mfa2).
  'mfa.challenge': {
    details: ['methods', 'firstFactor'],
    me: true,
    when: 'a right first factor of a user with a second factor: the `mfaToken` was issued (instead of `sign_in`)',
  },
  'mfa.verify': {
    details: ['method', 'reason'],
    me: true,
    when: "`POST /session/mfa` and `/session/mfa/webauthn`: success (`method`, with the session's `sign_in`), or failure with `reason` (`bad_code`)",
  },
  'mfa.lockout': { details: ['failures'], me: true, when: 'failed second factors started the MFA lockout of the account' },
  'admin.mfa_reset': { details: [], me: 'actor-kind', when: 'an admin or operator removed every second factor of the user; every session revoked' },
  // --- hosted UI (docs/specs/hosted-ui.md §4) ---
  'csrf.rejected': {
    details: ['form', 'reason'],
    me: false,
    when: 'a hosted-page POST refused for a missing or wrong CSRF token or a foreign origin (`reason`); nothing changed',
  },
  // --- end hosted UI ---
  // --- social sign-in (docs/specs/social-sign-in.md) ---
  'identity.linked': {
    details: ['provider'],
    me: true,
    when: 'a provider account was bound to the user (a sign-up by the provider, a link, an invitation completed with it)',
  },
  'identity.unlinked': { details: ['provider', 'by'], me: true, when: 'a provider account was removed from the user (`by`: `self`, `admin`, `operator`)' },
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §7).
  'passkey.added': {
    details: ['credentialId', 'discoverable', 'backedUp', 'first'],
    me: true,
    when: '`POST /me/passkeys` registered a passkey (`first`: the first second factor)',
  },
  'passkey.renamed': { details: ['credentialId'], me: true, when: '`PATCH /me/passkeys/{id}` renamed a passkey' },
  'passkey.removed': {
    details: ['credentialId', 'lastFactor'],
    me: true,
    when: '`DELETE /me/passkeys/{id}` removed a passkey (`lastFactor`: MFA is off with it)',
  },
  'passkey.counter_regression': {
    details: ['credentialId', 'storedCounter', 'newCounter'],
    me: true,
    when: 'a valid assertion whose signature counter did not grow: the passkey is disabled',
  },
  'password.removed': { details: [], me: true, when: '`DELETE /me/password` removed the password (the user signs in with a passkey)' },
  // --- hosted UI: the hand-off to first-party apps (docs/specs/hosted-ui.md §6) ---
  'oauth2.code_issued': {
    details: ['clientId'],
    me: true,
    when: "`GET /oauth2/authorize` issued an authorization code for a client (the UI session is the event's session)",
  },
  'oauth2.code_reused': {
    details: ['clientId', 'revokedSessionId'],
    me: true,
    when: 'a redeemed authorization code was presented again: the session its first redemption created is revoked',
  },
  // --- end hand-off ---
} as const satisfies Record<string, EventSpec>;

export type AuditType = keyof typeof AUDIT_EVENTS;
export type AuditOutcome = 'success' | 'failure';

/** The detail keys a type allows. */
export type AuditDetailKey<T extends AuditType> = (typeof AUDIT_EVENTS)[T]['details'][number];
export type AuditDetails<T extends AuditType> = Partial<Record<AuditDetailKey<T>, string | number | boolean | string[]>>;

/** An event as stored and as the admin routes show it. */
export interface AuditEvent {
  /** A ulid: sortable by time. */
  id: string;
  type: AuditType;
  outcome: AuditOutcome;
  /** ISO 8601 UTC with milliseconds. */
  at: string;
  actor: AuditActor;
  /** The subject: the user the event is about; null for events without a known user. */
  userId: string | null;
  sessionId: string | null;
  ip: string | null;
  /** Cut to {@link MAX_AUDIT_STRING} characters. */
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, string | number | boolean | string[]>;
  /** base64url HMAC-SHA256(audit key, canonical email); never the address. */
  emailHash: string | null;
  /** Epoch seconds: `at` + `AUTH_AUDIT_RETENTION_DAYS`; the item's TTL. */
  expiresAt: number;
}

/** The longest string an event keeps (user agents, detail values). */
export const MAX_AUDIT_STRING = 256;
/** The most bytes `details` may take as JSON. */
export const MAX_AUDIT_DETAILS_BYTES = 1024;

/** Writing a detail key outside its type's whitelist (or too much): a bug in the writer. */
export class AuditDetailError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'AuditDetailError';
  }
}

export function isAuditType(value: string): value is AuditType {
  return Object.hasOwn(AUDIT_EVENTS, value);
}

/** A `type` filter: a type of the catalogue, or a family (`admin.*`) that names at least one. */
export function auditTypeFilter(value: string): ((type: AuditType) => boolean) | undefined {
  if (value.endsWith('.*')) {
    const prefix = value.slice(0, -1);
    const types = Object.keys(AUDIT_EVENTS).filter((type) => type.startsWith(prefix));
    return types.length > 0 ? (type) => type.startsWith(prefix) : undefined;
  }
  return isAuditType(value) ? (type) => type === value : undefined;
}

/** A string cut to {@link MAX_AUDIT_STRING} characters (never splitting a surrogate pair). */
export function cutAuditString(value: string): string {
  const chars = Array.from(value);
  return chars.length <= MAX_AUDIT_STRING ? value : chars.slice(0, MAX_AUDIT_STRING).join('');
}

/**
 * The details of an event, checked against its type's whitelist: an unknown key or details over
 * {@link MAX_AUDIT_DETAILS_BYTES} throw {@link AuditDetailError}; strings are cut.
 */
export function checkedDetails(type: AuditType, details: Record<string, unknown>): AuditEvent['details'] {
  const allowed: readonly string[] = AUDIT_EVENTS[type].details;
  const out: AuditEvent['details'] = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined) continue;
    if (!allowed.includes(key)) throw new AuditDetailError(`audit event ${type} does not allow the detail ${key}`);
    if (typeof value === 'string') out[key] = cutAuditString(value);
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else if (Array.isArray(value) && value.every((item) => typeof item === 'string')) out[key] = value.map(cutAuditString);
    else throw new AuditDetailError(`audit event ${type}: detail ${key} must be a string, number, boolean or string list`);
  }
  if (Buffer.byteLength(JSON.stringify(out)) > MAX_AUDIT_DETAILS_BYTES) {
    throw new AuditDetailError(`audit event ${type}: details over ${MAX_AUDIT_DETAILS_BYTES} bytes`);
  }
  return out;
}

/** The UTC day (`yyyy-mm-dd`) of an ISO time: the day partition of an event. */
export function auditDay(at: string): string {
  return at.slice(0, 10);
}

/**
 * An event as `/me/activity` shows it to its subject: no `emailHash`, and the actor's id only
 * when the actor is the user themself. Undefined for types the user does not see.
 */
export function eventForSubject(event: AuditEvent): Omit<AuditEvent, 'emailHash' | 'expiresAt' | 'requestId'> | undefined {
  const me = AUDIT_EVENTS[event.type]?.me;
  if (!me) return undefined;
  const { emailHash: _hash, expiresAt: _expires, requestId: _request, ...shown } = event;
  const ownAction = event.actor.kind === 'user' && event.actor.id === event.userId;
  return { ...shown, actor: ownAction ? event.actor : { kind: event.actor.kind } };
}

/** base64url HMAC-SHA256(audit key, canonical email): how events name an address. */
export function auditEmailHash(key: Uint8Array, emailCanonical: string): string {
  return createHmac('sha256', key).update(emailCanonical, 'utf8').digest('base64url');
}

/** The length of an audit key in bytes. */
export const AUDIT_KEY_BYTES = 32;
