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
}

/**
 * Every event type: its allowed detail keys and whether `/me/activity` shows it. When it is
 * written (`docs/audit.md`'s text) is `AUDIT_EVENT_DOCS` in `audit-docs.ts`, beside it so that no
 * bundle carries it; the compiler asks for one entry per type there. Features add their rows when
 * they land (the spec's later events).
 */
export const AUDIT_EVENTS = {
  sign_in: {
    details: ['method', 'amr', 'reason'],
    me: true,
  },
  'lockout.start': { details: ['scope', 'failures', 'until'], me: true },
  registration: {
    details: ['method', 'reason'],
    me: true,
  },
  'email.confirmed': { details: ['toEmailHash'], me: true },
  'email.change_requested': { details: ['toEmailHash'], me: true },
  'email.changed': { details: ['fromEmailHash', 'toEmailHash', 'by'], me: true },
  'password.changed': { details: ['first'], me: true },
  'password.reset_requested': {
    details: [],
    me: true,
  },
  'password.reset': { details: [], me: true },
  'password.breached_on_sign_in': {
    details: ['action'],
    me: true,
  },
  'session.revoked': {
    details: ['by', 'reason', 'count'],
    me: true,
  },
  'renewal.reuse_detected': { details: [], me: true },
  'account.deleted': { details: [], me: false },
  'invitation.created': { details: ['inviteeEmailHash'], me: true },
  'invitation.accepted': { details: ['method'], me: true },
  'admin.user_created': { details: ['role'], me: 'actor-kind' },
  'admin.user_updated': { details: ['fields', 'roleFrom', 'roleTo'], me: 'actor-kind' },
  'admin.locked': { details: [], me: 'actor-kind' },
  'admin.unlocked': { details: [], me: 'actor-kind' },
  'admin.password_set': { details: [], me: 'actor-kind' },
  'admin.user_deleted': { details: [], me: 'actor-kind' },
  'authz.denied': { details: ['route'], me: false },
  'audit.exported': { details: ['from', 'to', 'count'], me: false },
  'user.imported': { details: ['format'], me: 'actor-kind' },
  'user.migrated': {
    details: ['fromFormat'],
    me: true,
  },
  'password.upgraded': { details: ['fromFormat'], me: true },
  'import.completed': {
    details: ['imported', 'skipped', 'failed', 'dryRun'],
    me: false,
  },
  'export.completed': {
    details: ['count', 'skippedInvited', 'withPasswordHashes'],
    me: false,
  },
  'mfa.totp_enabled': { details: ['method'], me: true },
  'mfa.totp_disabled': { details: ['method'], me: true },
  'mfa.recovery_codes_regenerated': { details: [], me: true },
  'recovery_code.used': { details: ['remaining'], me: true },
  reauthenticate: {
    details: ['method', 'aal', 'reason'],
    me: true,
  },
  // Two-step sign-in and the admin MFA reset (mfa2).
  'mfa.challenge': {
    details: ['methods', 'firstFactor'],
    me: true,
  },
  'mfa.verify': {
    details: ['method', 'reason'],
    me: true,
  },
  'mfa.lockout': { details: ['failures'], me: true },
  'admin.mfa_reset': { details: [], me: 'actor-kind' },
  // --- hosted UI (docs/specs/hosted-ui.md §4) ---
  'csrf.rejected': {
    details: ['form', 'reason'],
    me: false,
  },
  // --- end hosted UI ---
  // --- social sign-in (docs/specs/social-sign-in.md) ---
  'identity.linked': {
    details: ['provider'],
    me: true,
  },
  'identity.unlinked': { details: ['provider', 'by'], me: true },
  // Passkeys (`docs/specs/mfa-and-passkeys.md` §7).
  'passkey.added': {
    details: ['credentialId', 'discoverable', 'backedUp', 'first'],
    me: true,
  },
  'passkey.renamed': { details: ['credentialId'], me: true },
  'passkey.removed': {
    details: ['credentialId', 'lastFactor'],
    me: true,
  },
  'passkey.counter_regression': {
    details: ['credentialId', 'storedCounter', 'newCounter'],
    me: true,
  },
  'password.removed': { details: [], me: true },
  // --- hosted UI: the hand-off to first-party apps (docs/specs/hosted-ui.md §6) ---
  'oauth2.code_issued': {
    details: ['clientId'],
    me: true,
  },
  'oauth2.code_reused': {
    details: ['clientId', 'revokedSessionId'],
    me: true,
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
