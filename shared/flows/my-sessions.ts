import { AuthError } from '../domain/errors.js';
import { messages } from '../domain/messages.js';
import type { Session } from '../domain/types.js';
import { FieldChecker } from '../domain/validation.js';
import { auditOp, sessionsRevokedOps } from './audit.js';
import { type Deps, nowSeconds, type Principal, type RequestInfo } from './deps.js';
import { revokeAllSessions } from './revoke.js';

/** One entry of `GET /sessions`. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
  /** `null` for a direct API sign-in, `"ui"` for the hosted pages, or a hand-off client id (`docs/specs/hosted-ui.md` §3). */
  client: string | null;
}

/** Page sizes of `GET /sessions`. */
export const SESSION_LIST_LIMIT = { default: 20, max: 100 } as const;

/** Query of `GET /sessions` (strings, as they come from a query string). */
export interface ListSessionsInput {
  limit?: string | number | undefined;
  cursor?: string | undefined;
}

/** A page of the caller's sessions, newest first; `nextCursor` is opaque, null on the last page. */
export interface SessionPage {
  sessions: SessionView[];
  nextCursor: string | null;
}

// A cursor is the opaque form of the last listed session's position `<createdAt>#<id>`.
const CURSOR_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function positionOf(session: Session): string {
  return `${session.createdAt}#${session.id}`;
}

function parseCursor(check: FieldChecker, cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const key = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!CURSOR_KEY.test(key)) {
    check.add('cursor', messages.field.invalid);
    return undefined;
  }
  return key;
}

/**
 * The caller's live sessions (expired ones are filtered here: DynamoDB's TTL deletes late),
 * newest first, `limit` at a time (1 to 100, default 20), with the admin list's conventions: a
 * bad `limit` or `cursor` is `422 validation_failed`. The cursor is the position of the last
 * session listed (creation time and id), so paging walks every session that lives throughout
 * exactly once, even while sessions start or end between pages. `lastUsedAt` is the last
 * sign-in or renewal: the token check never writes. One Query of the user's partition, which
 * `AUTH_MAX_SESSIONS_PER_USER` bounds.
 */
export async function listMySessions(deps: Deps, principal: Principal, input: ListSessionsInput = {}): Promise<SessionPage> {
  const check = new FieldChecker();
  const limit = check.limit(input.limit, SESSION_LIST_LIMIT);
  const after = parseCursor(check, input.cursor);
  check.throwIfAny();
  const now = nowSeconds(deps);
  const sessions = (await deps.store.listSessions(principal.userId))
    .filter((s) => s.expiresAt > now)
    .sort((a, b) => (positionOf(a) < positionOf(b) ? 1 : -1)) // plain code-unit order, as the cursor compares
    .filter((s) => after === undefined || positionOf(s) < after);
  const page = sessions.slice(0, limit);
  const last = page[page.length - 1];
  return {
    sessions: page.map((s) => ({
      id: s.id,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
      userAgent: s.userAgent,
      ip: s.ip,
      current: s.id === principal.sessionId,
      client: s.client ?? null,
    })),
    nextCursor: sessions.length > limit && last ? Buffer.from(positionOf(last), 'utf8').toString('base64url') : null,
  };
}

/**
 * Deletes one session of a user with its `session.revoked` event (by the user), in one commit:
 * sign-out (`sign_out`) and revoking one of one's sessions (`revoke`).
 */
export async function endSession(deps: Deps, userId: string, sessionId: string, reason: 'sign_out' | 'revoke', request?: RequestInfo): Promise<void> {
  await deps.store.commit([
    { type: 'deleteSession', userId, id: sessionId },
    await auditOp(deps, { type: 'session.revoked', userId, sessionId, details: { by: 'self', reason, count: 1 }, request }),
  ]);
}

/**
 * Revokes one of the caller's sessions (the current one too). The session key includes the
 * caller's user id, so another user's session id is simply not found: `404 not_found`, the same
 * as an unknown or expired one, which tells nothing about other users' sessions.
 */
export async function revokeMySession(deps: Deps, principal: Principal, sessionId: string, request?: RequestInfo): Promise<void> {
  const session = sessionId.length <= 64 ? await deps.store.getSession(principal.userId, sessionId) : undefined;
  if (!session || session.expiresAt <= nowSeconds(deps)) throw new AuthError('not_found');
  await endSession(deps, principal.userId, session.id, 'revoke', request);
  deps.log.info('session revoked', { flow: 'sessions', userId: principal.userId });
}

/** Signs the caller out everywhere: every session, the current one included, race-free. */
export async function revokeMySessions(deps: Deps, principal: Principal, request?: RequestInfo): Promise<void> {
  await revokeAllSessions(deps, principal.userId, {
    audit: ({ count }) => sessionsRevokedOps(deps, { userId: principal.userId, count, reason: 'revoke_all', sessionId: principal.sessionId, request }),
  });
  deps.log.info('signed out everywhere', { flow: 'sessions', userId: principal.userId });
}
