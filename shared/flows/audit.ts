import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';
import {
  type AuditActor,
  type AuditDetails,
  type AuditEvent,
  type AuditOutcome,
  type AuditType,
  auditEmailHash,
  checkedDetails,
  cutAuditString,
} from '../domain/audit.js';
import { ServiceUnavailableError } from '../domain/errors.js';
import type { Log } from '../ports/services.js';
import type { AuthStore, WriteOp } from '../ports/store.js';
import { type Deps, nowIso, type Principal, type RequestInfo } from './deps.js';

/**
 * Writing the audit log (`docs/audit.md`). A flow builds its event with {@link auditOp} and puts
 * it in the SAME commit as the change it records: no change without its event, no event without
 * its change. A request that changes no account state (a refused sign-in) writes its event alone
 * with {@link recordAudit}. Either way a failed write answers `503` and, for a commit, changes
 * nothing. The catalogue (types and their detail keys) is `shared/domain/audit.ts`.
 */
export interface AuditInput<T extends AuditType> {
  type: T;
  /** @default 'success' */
  outcome?: AuditOutcome;
  /** The subject: the user the event is about (null: none known; the event goes under `NOUSER#<day>`). */
  userId: string | null;
  sessionId?: string | null | undefined;
  /** @default the subject as a `user`, or `anonymous` without one; an `operator` when the request came from the CLI */
  actor?: AuditActor | undefined;
  /** The canonical email the event concerns: stored only as its `emailHash`. */
  emailCanonical?: string | null | undefined;
  details?: AuditDetails<T> | undefined;
  request?: RequestInfo | undefined;
}

/**
 * The ulid's randomness, from the same CSPRNG as the library's default (one byte per character,
 * `byte / 256`), but drawn from a pool: the default asks `crypto.getRandomValues` once per
 * character, sixteen system calls per event on the sign-in path.
 */
const pool = new Uint8Array(4096);
let poolAt = pool.length;
function pooledRandom(): number {
  if (poolAt >= pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return (pool[poolAt++] as number) / 256;
}

/** The `emailHash` of a canonical email under the deployment's audit key. */
export async function emailHashOf(deps: Pick<Deps, 'auditKey'>, emailCanonical: string): Promise<string> {
  return auditEmailHash(await deps.auditKey.key(), emailCanonical);
}

/** Who acted, for events of admin routes and CLI commands: the operator (CLI) or the admin behind the token. */
export function adminActor(principal: Pick<Principal, 'userId'> | undefined, request: RequestInfo | undefined): AuditActor {
  if (request?.operator !== undefined) return { kind: 'operator', id: request.operator };
  return principal ? { kind: 'admin', id: principal.userId } : { kind: 'system' };
}

/** The event of an input, complete: id, time, hashed address, checked details, retention. */
export async function buildAuditEvent<T extends AuditType>(deps: Pick<Deps, 'auditKey' | 'clock' | 'config'>, input: AuditInput<T>): Promise<AuditEvent> {
  const at = nowIso(deps);
  const request = input.request;
  const actor: AuditActor =
    input.actor ??
    (request?.operator !== undefined
      ? { kind: 'operator', id: request.operator }
      : input.userId !== null
        ? { kind: 'user', id: input.userId }
        : { kind: 'anonymous' });
  return {
    id: ulid(deps.clock.now(), pooledRandom),
    type: input.type,
    outcome: input.outcome ?? 'success',
    at,
    actor,
    userId: input.userId,
    sessionId: input.sessionId ?? null,
    ip: request?.ip ? cutAuditString(request.ip) : null,
    userAgent: request?.userAgent ? cutAuditString(request.userAgent) : null,
    requestId: request?.requestId ? cutAuditString(request.requestId) : null,
    details: checkedDetails(input.type, (input.details ?? {}) as Record<string, unknown>),
    emailHash: input.emailCanonical ? await emailHashOf(deps, input.emailCanonical) : null,
    expiresAt: Math.floor(Date.parse(at) / 1000) + deps.config.auditRetentionDays * 86400,
  };
}

/** The write that appends an event, for the commit of the change it records. */
export async function auditOp<T extends AuditType>(deps: Pick<Deps, 'auditKey' | 'clock' | 'config'>, input: AuditInput<T>): Promise<WriteOp> {
  return { type: 'appendAuditEvent', event: await buildAuditEvent(deps, input) };
}

/** Who ended sessions, for `session.revoked`. */
export type RevokedBy = 'self' | 'admin' | 'operator' | 'system';

/** The `by` of an actor: `admin` or `operator` for the admin flows, `self` for a user, `system` otherwise. */
export function revokedByOf(actor: AuditActor): RevokedBy {
  return actor.kind === 'admin' || actor.kind === 'operator' ? actor.kind : actor.kind === 'user' ? 'self' : 'system';
}

/**
 * The `session.revoked` event of `count` sessions ended (none when `count` is 0: nothing was
 * revoked), for the commit that deletes them.
 */
export async function sessionsRevokedOps(
  deps: Pick<Deps, 'auditKey' | 'clock' | 'config'>,
  input: { userId: string; count: number; reason: string; actor?: AuditActor | undefined; sessionId?: string | null; request?: RequestInfo | undefined },
): Promise<WriteOp[]> {
  if (input.count === 0) return [];
  const actor = input.actor ?? { kind: 'user', id: input.userId };
  return [
    await auditOp(deps, {
      type: 'session.revoked',
      userId: input.userId,
      sessionId: input.sessionId ?? null,
      actor,
      details: { by: revokedByOf(actor), reason: input.reason, count: input.count },
      request: input.request,
    }),
  ];
}

/**
 * Writes an event that goes with no change of account state (a refused sign-in, an `authz.denied`):
 * one conditional Put. A failure answers `503` (the request is audited or it fails).
 */
export async function recordAudit<T extends AuditType>(deps: Pick<Deps, 'auditKey' | 'clock' | 'config' | 'store'>, input: AuditInput<T>): Promise<void> {
  const op = await auditOp(deps, input);
  try {
    await deps.store.commit([op]);
  } catch (error) {
    if (error instanceof ServiceUnavailableError) throw error;
    throw new ServiceUnavailableError(undefined, { cause: error });
  }
}

/**
 * The store with the audit log's CloudWatch mirror: after each successful commit, every audit
 * event it appended is logged as one JSON line `{ "audit": { … } }` (a second, separate store;
 * spec §2). Applied once, where the deps are built.
 *
 * A transparent view of the same store (a Proxy): reads, fields and own properties are the
 * store's (so tests that snapshot or restore a memory store's maps through it see them), only
 * `commit` is the mirrored one. Assigning `commit` on the view (a test's interceptor) replaces
 * the view's commit; the mirror keeps calling the store's own.
 */
export function withAuditMirror<S extends AuthStore>(store: S, log: Log): S {
  return afterEachCommit(store, (ops) => {
    for (const op of ops) if (op.type === 'appendAuditEvent') log.info('audit', { audit: op.event });
  });
}

/**
 * A view of `store` whose `commit` runs `after(ops)` once the store's own commit succeeded (the
 * audit mirror, the metrics). Every other member is the store's. Assigning `commit` on the view
 * (a test's interceptor) replaces the view's commit; the view keeps calling the store's own.
 */
export function afterEachCommit<S extends AuthStore>(store: S, after: (ops: WriteOp[]) => void): S {
  const inner = store.commit;
  let commit: AuthStore['commit'] = async (ops: WriteOp[]): Promise<void> => {
    await inner.call(store, ops);
    after(ops);
  };
  const view: S = new Proxy(store, {
    get: (target, key) => (key === 'commit' ? commit : Reflect.get(target, key, target)),
    set: (target, key, value, receiver) => {
      // An object made with the view as its prototype keeps its own properties, as usual.
      if (receiver !== view) return Reflect.defineProperty(receiver, key, { value, writable: true, enumerable: true, configurable: true });
      if (key === 'commit') {
        commit = value as AuthStore['commit'];
        return true;
      }
      return Reflect.set(target, key, value, target);
    },
  });
  return view;
}
