import { type AuditEvent, type AuditType, auditDay, auditTypeFilter, eventForSubject } from '../domain/audit.js';
import { canonicalEmailOf } from '../domain/email.js';
import { messages } from '../domain/messages.js';
import { FieldChecker } from '../domain/validation.js';
import { AuditCursorError, type AuditPage, type AuditPartition, type AuditQuery } from '../ports/audit-log.js';
import { type Actor, ADMIN_ROUTES, type AdminDeps, assertAdmin } from './admin-users.js';
import { emailHashOf, recordAudit } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';

/**
 * Reading the audit log (`docs/audit.md`, spec §4–§5): `GET /me/activity`, `GET /admin/audit`,
 * `GET /admin/users/{id}/audit` and the CLI's `audit list` and `audit export`. The routes
 * themselves write no event (reads are not audited); an export does (`audit.exported`).
 */

/** Page sizes of the audit routes. */
export const AUDIT_LIST_LIMIT = { default: 50, max: 100 } as const;
/** The widest range of a read over the day partitions (every user), in days. */
export const AUDIT_MAX_DAYS = 31;

const DAY_MS = 86_400_000;
// Ids are UUIDs (`randomId`): any other id never existed and cannot be asked for.
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A date, or a date and time with seconds optional, fraction optional and a zone (`Z` or an offset).
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Longer cursors are not ours (ours hold a day and a table key of a few hundred bytes). */
const MAX_CURSOR = 4096;

const text = {
  iso: 'must be an ISO 8601 date or time with a zone, e.g. 2026-01-31 or 2026-01-31T12:00:00Z',
  order: 'must not be after to',
  range: `must be at most ${AUDIT_MAX_DAYS} days before to when reading every user's events`,
  type: 'is not an audit event type or family (see docs/audit.md)',
  together: 'give either userId or email, not both',
} as const;

/** An event as the admin routes and the CLI's `audit list` show it (`emailHash` included). */
export type AdminAuditEvent = Omit<AuditEvent, 'expiresAt' | 'requestId'>;
/** An event as `GET /me/activity` shows it to its subject. */
export type MyAuditEvent = NonNullable<ReturnType<typeof eventForSubject>>;

export interface AuditListPage<E> {
  /** Newest first. A page may be short (even empty) while `nextCursor` is set: filters apply after the read. */
  events: E[];
  nextCursor: string | null;
}

/** Query of `GET /me/activity`. */
export interface MyActivityInput {
  limit?: string | number | undefined;
  cursor?: string | undefined;
}

/** Query of `GET /admin/users/{id}/audit` (and the common part of `GET /admin/audit`). */
export interface AuditFilterInput {
  type?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit?: string | number | undefined;
  cursor?: string | undefined;
}

/** Query of `GET /admin/audit`: a user, an address, or neither (every user, by day). */
export interface AdminAuditInput extends AuditFilterInput {
  userId?: string | undefined;
  email?: string | undefined;
}

const given = (value: string | number | undefined): value is string | number => value !== undefined && value !== '';

/**
 * An ISO 8601 bound as the sort keys hold it (UTC with milliseconds). A date alone is the first
 * millisecond of that UTC day for `from` and the last one for `to`, so `--to 2026-01-31`
 * includes the 31st. Undefined (with an error recorded) when it is not a real time.
 */
function parseBound(check: FieldChecker, field: 'from' | 'to', value: string): string | undefined {
  const match = ISO.exec(value);
  const [year, month, day] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const realDay = match !== null && calendar.getUTCFullYear() === year && calendar.getUTCMonth() === month - 1 && calendar.getUTCDate() === day;
  const dateOnly = match !== null && match[4] === undefined;
  const ms = dateOnly ? calendar.getTime() + (field === 'to' ? DAY_MS - 1 : 0) : Date.parse(value);
  if (!realDay || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) {
    check.add(field, text.iso);
    return undefined;
  }
  const iso = new Date(ms).toISOString();
  // Years outside 0000–9999 print with a sign: not a sort key of ours.
  if (!/^\d{4}-/.test(iso)) {
    check.add(field, text.iso);
    return undefined;
  }
  return iso;
}

/** What a cursor of ours holds: the kind of read, the day being read (day reads), the adapter's cursor. */
interface Position {
  kind: AuditPartition['kind'];
  day?: string | undefined;
  inner: string | null;
}

function encodePosition(position: Position): string {
  return Buffer.from(JSON.stringify({ k: position.kind, ...(position.day ? { d: position.day } : {}), c: position.inner }), 'utf8').toString('base64url');
}

/** A cursor back to its position; a cursor of another kind of read, or not ours, records `errors.cursor`. */
function decodePosition(check: FieldChecker, cursor: string | undefined, kind: Position['kind']): Position | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  let parsed: unknown;
  if (cursor.length <= MAX_CURSOR && /^[A-Za-z0-9_-]+$/.test(cursor)) {
    try {
      parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      parsed = undefined;
    }
  }
  const value = parsed as { k?: unknown; d?: unknown; c?: unknown } | undefined;
  const valid =
    typeof value === 'object' &&
    value !== null &&
    value.k === kind &&
    (typeof value.c === 'string' ? value.c !== '' : kind === 'day' && value.c === null) &&
    (kind === 'day' ? typeof value.d === 'string' && DAY.test(value.d) : value.d === undefined);
  if (!valid) {
    check.add('cursor', messages.field.invalid);
    return undefined;
  }
  return { kind, day: kind === 'day' ? (value.d as string) : undefined, inner: value.c as string | null };
}

/** The adapter's read; a cursor it cannot use is the caller's `422 errors.cursor`. */
async function read(deps: Pick<Deps, 'auditLog'>, query: AuditQuery): Promise<AuditPage> {
  try {
    return await deps.auditLog.query(query);
  } catch (error) {
    if (error instanceof AuditCursorError) {
      const check = new FieldChecker();
      check.add('cursor', messages.field.invalid);
      check.throwIfAny();
    }
    throw error;
  }
}

/** The day before a `yyyy-mm-dd` day. */
function dayBefore(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - DAY_MS).toISOString().slice(0, 10);
}

/** The day after a `yyyy-mm-dd` day. */
function dayAfter(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** An event without what only the table needs (`expiresAt`) and the request id. */
export function adminView(event: AuditEvent): AdminAuditEvent {
  const { expiresAt: _expires, requestId: _request, ...shown } = event;
  return shown;
}

/**
 * `GET /me/activity`: the caller's own events of the types marked "me", newest first, as
 * {@link eventForSubject} shows them (no `emailHash`; an admin's or operator's id hidden).
 */
export async function myActivity(deps: Pick<Deps, 'auditLog'>, userId: string, input: MyActivityInput): Promise<AuditListPage<MyAuditEvent>> {
  const check = new FieldChecker();
  const limit = check.limit(input.limit, AUDIT_LIST_LIMIT);
  const position = decodePosition(check, input.cursor, 'user');
  check.throwIfAny();
  const page = await read(deps, { partition: { kind: 'user', userId }, limit, cursor: position?.inner });
  const events = page.events.map(eventForSubject).filter((event): event is MyAuditEvent => event !== undefined);
  return { events, nextCursor: page.nextCursor === null ? null : encodePosition({ kind: 'user', inner: page.nextCursor }) };
}

/** A checked query: where to read, the bounds, the filter. */
interface Plan {
  partition: { kind: 'user'; userId: string } | { kind: 'email'; emailCanonical: string } | { kind: 'day' };
  from: string | undefined;
  to: string | undefined;
  limit: number;
  position: Position | undefined;
  filter: ((type: AuditType) => boolean) | undefined;
}

/** Checks a query (every problem at once, as one `422`); `byId`: the path's user id of `GET /admin/users/{id}/audit`. */
function plan(deps: Pick<Deps, 'clock'>, input: AdminAuditInput, byId: string | undefined): Plan {
  const check = new FieldChecker();
  const limit = check.limit(input.limit, AUDIT_LIST_LIMIT);
  let filter: Plan['filter'];
  if (given(input.type)) {
    filter = auditTypeFilter(input.type);
    if (!filter) check.add('type', text.type);
  }
  const userId = byId ?? (given(input.userId) ? input.userId : undefined);
  const email = byId === undefined && given(input.email) ? input.email : undefined;
  const field = byId === undefined ? 'userId' : 'id';
  let partition: Plan['partition'] = { kind: 'day' };
  if (userId !== undefined && email !== undefined) {
    check.add('userId', text.together);
    check.add('email', text.together);
  } else if (userId !== undefined) {
    if (!ID.test(userId)) check.add(field, messages.field.invalid);
    partition = { kind: 'user', userId: userId.toLowerCase() };
  } else if (email !== undefined) {
    const canonical = canonicalEmailOf(email);
    if (canonical === undefined) check.add('email', messages.field.invalidFormat);
    partition = { kind: 'email', emailCanonical: canonical ?? '' };
  }
  let from = given(input.from) ? parseBound(check, 'from', input.from) : undefined;
  let to = given(input.to) ? parseBound(check, 'to', input.to) : undefined;
  const days = partition.kind === 'day';
  if (days) {
    // Every user's events: a bounded range of day partitions, the last 24 h by default.
    if (!given(input.to)) to = nowIso(deps);
    if (!given(input.from) && to !== undefined) from = new Date(Date.parse(to) - DAY_MS).toISOString();
  }
  if (from !== undefined && to !== undefined) {
    if (from > to) check.add('from', text.order);
    else if (days && Date.parse(to) - Date.parse(from) > AUDIT_MAX_DAYS * DAY_MS) check.add('from', text.range);
  }
  const position = decodePosition(check, input.cursor, partition.kind);
  check.throwIfAny();
  return { partition, from, to, limit, position, filter };
}

async function adminRead(deps: Pick<Deps, 'auditLog' | 'auditKey' | 'clock'>, input: AdminAuditInput, byId?: string): Promise<AuditListPage<AdminAuditEvent>> {
  const p = plan(deps, input, byId);
  const keep = (events: AuditEvent[]) => (p.filter ? events.filter((event) => p.filter?.(event.type)) : events).map(adminView);
  if (p.partition.kind !== 'day') {
    const partition: AuditPartition =
      p.partition.kind === 'user'
        ? { kind: 'user', userId: p.partition.userId }
        : { kind: 'email', emailHash: await emailHashOf(deps, p.partition.emailCanonical) };
    const page = await read(deps, { partition, from: p.from, to: p.to, limit: p.limit, cursor: p.position?.inner });
    return { events: keep(page.events), nextCursor: page.nextCursor === null ? null : encodePosition({ kind: partition.kind, inner: page.nextCursor }) };
  }
  // Day by day from `to` back to `from`, reading at most `limit` events in all; a day left
  // unfinished, or a day still to read once the page is full, is where the cursor points.
  const first = auditDay(p.from as string);
  let day = p.position?.day ?? auditDay(p.to as string);
  let inner = p.position?.inner ?? null;
  if (day > auditDay(p.to as string)) {
    const check = new FieldChecker();
    check.add('cursor', messages.field.invalid);
    check.throwIfAny();
  }
  const events: AuditEvent[] = [];
  while (day >= first) {
    const page = await read(deps, { partition: { kind: 'day', day }, from: p.from, to: p.to, limit: p.limit - events.length, cursor: inner });
    events.push(...page.events);
    if (page.nextCursor !== null) return { events: keep(events), nextCursor: encodePosition({ kind: 'day', day, inner: page.nextCursor }) };
    day = dayBefore(day);
    inner = null;
    if (events.length >= p.limit) break;
  }
  return { events: keep(events), nextCursor: day >= first ? encodePosition({ kind: 'day', day, inner: null }) : null };
}

/**
 * `GET /admin/audit`: one user's events (`userId`), one address's (`email`, canonicalised then
 * hashed: known, deleted or never registered), or with neither every user's, day partition by
 * day partition from `to` back to `from` (at most {@link AUDIT_MAX_DAYS} days; the last 24 h by
 * default). `type` (a type or a family such as `mfa.*`) filters after the read.
 */
export async function adminAudit(
  deps: AdminDeps & Pick<Deps, 'auditLog'>,
  actor: Actor,
  input: AdminAuditInput,
  request?: RequestInfo,
): Promise<AuditListPage<AdminAuditEvent>> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.audit, request);
  return adminRead(deps, input);
}

/**
 * `GET /admin/users/{id}/audit`: the user partition of any well-formed id, so a deleted user's
 * events stay readable until their retention ends; an id that never existed gives an empty list.
 */
export async function adminUserAudit(
  deps: AdminDeps & Pick<Deps, 'auditLog'>,
  actor: Actor,
  id: string,
  input: AuditFilterInput,
  request?: RequestInfo,
): Promise<AuditListPage<AdminAuditEvent>> {
  await assertAdmin(deps, actor, ADMIN_ROUTES.userAudit, request);
  const { type, from, to, limit, cursor } = input;
  return adminRead(deps, { type, from, to, limit, cursor }, id);
}

/** What `npx latch audit export` asks. */
export interface ExportAuditInput {
  from?: string | undefined;
  to?: string | undefined;
  /** The CLI's request (its `operator` names the actor of `audit.exported`). */
  request: RequestInfo;
}

/**
 * Every event between `from` and `to` (both required; no limit on the range), day by day from
 * the first, each day's oldest first: `write` gets each stored event whole (`expiresAt` and
 * `requestId` included). Once all are written, records `audit.exported` (from, to, count) with
 * the operator as actor; a failure to record it fails the export (503).
 */
export async function exportAudit(
  deps: Pick<Deps, 'auditLog' | 'auditKey' | 'clock' | 'config' | 'store'>,
  input: ExportAuditInput,
  write: (events: AuditEvent[]) => Promise<void>,
): Promise<{ from: string; to: string; count: number }> {
  const check = new FieldChecker();
  const from = check.required('from', input.from) === undefined ? undefined : parseBound(check, 'from', input.from as string);
  const to = check.required('to', input.to) === undefined ? undefined : parseBound(check, 'to', input.to as string);
  if (from !== undefined && to !== undefined && from > to) check.add('from', text.order);
  check.throwIfAny();
  if (from === undefined || to === undefined) throw new Error('unreachable: validated above');
  let count = 0;
  for (let day = auditDay(from); day <= auditDay(to); day = dayAfter(day)) {
    const events: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const page: AuditPage = await read(deps, { partition: { kind: 'day', day }, from, to, limit: AUDIT_LIST_LIMIT.max, cursor });
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor !== null);
    events.reverse();
    if (events.length > 0) await write(events);
    count += events.length;
  }
  const operator = input.request.operator;
  await recordAudit(deps, {
    type: 'audit.exported',
    userId: null,
    actor: operator === undefined ? { kind: 'system' } : { kind: 'operator', id: operator },
    details: { from, to, count },
    request: input.request,
  });
  return { from, to, count };
}
