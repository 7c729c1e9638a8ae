import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type ConflictReason, ServiceUnavailableError } from '../../domain/errors.js';
import type { User } from '../../domain/types.js';
import { type CodeSpend, type MailCap, mailCapVerdict, type UserGuard, type WriteOp } from '../../ports/store.js';
import { auditItem } from './audit-table.js';
import { Expression, type Item } from './expression.js';
import { keys, usersShardOf } from './table.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The tables a commit writes to: the main table and the audit table (`audit-table.ts`). */
export interface TableNames {
  main: string;
  audit: string;
}

/** A write of the transaction and what its condition failing means. */
export interface Planned {
  item: TransactItem;
  /** Reason when the condition fails and the item existed / did not exist. */
  onExisting: ConflictReason;
  onMissing: ConflictReason;
  /** When set, the reason is decided from the item the failed condition returned (its old image). */
  classify?: (item: Item) => ConflictReason;
}

/** Reads a mail cap counter from an item, plain or in DynamoDB's attribute-value form. */
export function mailCapOf(item: Item): MailCap {
  const num = (value: unknown) => Number(typeof value === 'object' && value !== null && 'N' in value ? (value as { N: string }).N : value);
  return { count: num(item.count), windowEnds: num(item.windowEnds) };
}

/** The op of a type. */
export type OpOf<T extends WriteOp['type']> = Extract<WriteOp, { type: T }>;

/** What a plan needs besides its op: the table names and the store's clock (epoch seconds). */
export interface PlanContext {
  /** The main table (`tables.main`). */
  TableName: string;
  tables: TableNames;
  /** When an expired claim may be replaced (the store's clock). */
  now: number;
}

/** A plan: the DynamoDB writes of one port write, each with its condition and what its failing means. */
export type PlanOf<T extends WriteOp['type']> = (op: OpOf<T>, c: PlanContext) => Planned[];

/**
 * Plans by op type. A function's store carries only the plans of the ops its flows commit
 * (issue 17, row 6): {@link CORE_WRITE_PLANS} everywhere, the families
 * (`write-plan-mfa.ts`, `write-plan-passkeys.ts`, `write-plan-oauth.ts`, `write-plan-oauth2.ts`)
 * where the function's entry composes them (`shared/runtime/optional-adapters.ts`);
 * `test/infra/bundles.test.ts` checks every bundle against the ops its flows write.
 * `write-plans.ts` holds all of them (the tests, the CLI, the bench).
 */
export type WritePlans = { [T in WriteOp['type']]?: PlanOf<T> };

/** `ReturnValuesOnConditionCheckFailure` of the plans that classify a failed condition by the old item. */
export const check = 'ALL_OLD' as const;

/**
 * The DynamoDB writes of one port write, each with its condition and what the condition failing
 * means. Pure: `commit` sends the plans of all ops as one transaction (or one plain write).
 * `now` (epoch seconds, the store's clock) is when an expired claim may be replaced. An op
 * without a plan in `plans` is a 503, nothing written: the function's entry did not compose its family.
 */
export function planWrite(plans: WritePlans, tables: TableNames, op: WriteOp, now: number): Planned[] {
  const plan = plans[op.type] as PlanOf<WriteOp['type']> | undefined;
  if (!plan) {
    // Loud, never a silent skip: the function answers 503 and logs the cause's name.
    const cause = new Error(`no write plan for ${op.type} in this function (compose its family: shared/runtime/optional-adapters.ts)`);
    throw new ServiceUnavailableError(undefined, { cause });
  }
  return plan(op as never, { TableName: tables.main, tables, now });
}

function planCreateUser(op: OpOf<'createUser'>, { TableName, now }: PlanContext): Planned[] {
  return [
    // The claim is the uniqueness rule: one account per canonical email. Two registrations
    // racing for one address: only the first Put finds no claim. The claim of a
    // never-confirmed account whose last link expired counts as free (TTL deletes late).
    {
      item: {
        Put: {
          TableName,
          Item: { ...keys.claim(op.user.emailCanonical), userId: op.user.id, ...ttlOf(op.user.expiresAt) },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': now },
        },
      },
      onExisting: 'email_taken',
      onMissing: 'email_taken',
    },
    {
      item: { Put: { TableName, Item: userItem(op.user), ConditionExpression: 'attribute_not_exists(pk)' } },
      onExisting: 'email_taken',
      onMissing: 'email_taken',
    },
  ];
}

function planUpdateUser(op: OpOf<'updateUser'>, c: PlanContext): Planned[] {
  const { TableName } = c;
  // `sessionSeq` lives in its own item (table.ts): its guard and bump go there, so a
  // sign-in (a bump and a guard, nothing else) only condition-checks the user item. A TOTP
  // step spent is recorded there too (`totpStep`), merged into the same write of that item.
  const seq = seqPlan(TableName, op.id, op.guard, op.bumpSeq === true, op.spend);
  const guard = profileGuard(op.guard);
  const e = new Expression();
  const { sets, removes } = expiryAware(e, { ...(op.set ?? {}) });
  const adds: string[] = [];
  if (op.bumpEpoch) adds.push(`${e.name('sessionEpoch')} ${e.value(1)}`);
  if (op.adjust?.passkeyCount !== undefined) adds.push(`${e.name('passkeyCount')} ${e.value(op.adjust.passkeyCount)}`);
  if (op.adjust?.signInMethods !== undefined) {
    // An item written before `signInMethods` existed starts from the count derived from it.
    const name = e.name('signInMethods');
    const { derived, delta } = op.adjust.signInMethods;
    sets.push(`${name} = if_not_exists(${name}, ${e.value(derived)}) + ${e.value(delta)}`);
  }
  for (const attribute of op.remove ?? []) removes.push(e.name(attribute));
  let condition = e.guard(guard);
  if (op.spend) {
    const spent = spendClauses(e, op.spend);
    sets.push(...spent.sets);
    condition += spent.conditions.map((c) => ` AND ${c}`).join('');
  }
  const update = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
  ]
    .join(' ')
    .trim();
  if (update === '') {
    if (!op.spend) return [...planCheckUser({ type: 'checkUser', id: op.id, guard: guard ?? {} }, c), ...seq];
    // Nothing to write, only conditions (a code checked by a write that changes nothing here).
    const spend = op.spend;
    return [
      ...seq,
      {
        item: {
          ConditionCheck: e.attach({ TableName, Key: keys.user(op.id), ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: check }),
        },
        onExisting: 'user_changed',
        onMissing: 'not_found',
        classify: (item: Item) => (codeWasSpent(plainItem(item), spend) ? 'code_spent' : 'user_changed'),
      },
    ];
  }
  return [
    ...seq,
    {
      item: {
        Update: e.attach({
          TableName,
          Key: keys.user(op.id),
          UpdateExpression: update,
          ConditionExpression: condition,
          ReturnValuesOnConditionCheckFailure: check,
        }),
      },
      onExisting: 'user_changed',
      onMissing: 'not_found',
      ...(op.spend ? { classify: (item: Item) => (codeWasSpent(plainItem(item), op.spend as CodeSpend) ? 'code_spent' : 'user_changed') } : {}),
    },
  ];
}

function planCheckUser(op: OpOf<'checkUser'>, { TableName }: PlanContext): Planned[] {
  const e = new Expression();
  const condition = e.guard(profileGuard(op.guard));
  return [
    ...seqPlan(TableName, op.id, op.guard, false),
    {
      item: {
        ConditionCheck: e.attach({ TableName, Key: keys.user(op.id), ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: check }),
      },
      onExisting: 'user_changed',
      onMissing: 'not_found',
    },
  ];
}

function planDeleteUser(op: OpOf<'deleteUser'>, { TableName }: PlanContext): Planned[] {
  const e = new Expression();
  const condition = e.guard(profileGuard(op.guard));
  const seqCondition = new Expression();
  const seqClause = seqCondition.seqGuard(op.guard);
  return [
    // The sequence item goes with its user (conditioned on `sessionSeq` when guarded).
    {
      item: {
        Delete: seqCondition.attach({ TableName, Key: keys.userSeq(op.id), ...(seqClause ? { ConditionExpression: seqClause } : {}) }),
      },
      onExisting: 'user_changed',
      onMissing: 'user_changed',
    },
    {
      item: { Delete: e.attach({ TableName, Key: keys.user(op.id), ConditionExpression: condition, ReturnValuesOnConditionCheckFailure: check }) },
      onExisting: 'user_changed',
      onMissing: 'not_found',
    },
    // Only the user's own claim is released.
    {
      item: {
        Delete: {
          TableName,
          Key: keys.claim(op.emailCanonical),
          ConditionExpression: 'attribute_not_exists(pk) OR userId = :id',
          ExpressionAttributeValues: { ':id': op.id },
        },
      },
      onExisting: 'user_changed',
      onMissing: 'user_changed',
    },
  ];
}

function planMoveEmail(op: OpOf<'moveEmail'>, { TableName, now }: PlanContext): Planned[] {
  const e = new Expression();
  const { sets, removes } = expiryAware(e, {
    ...(op.set ?? {}),
    email: op.email,
    emailCanonical: op.to,
    gsi1sk: `${op.to}#${op.userId}`,
  });
  const bump = `${op.bumpEpoch ? ` ADD ${e.name('sessionEpoch')} ${e.value(1)}` : ''}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
  const condition = e.guard(profileGuard(op.guard));
  return [
    ...seqPlan(TableName, op.userId, op.guard, false),
    // The old claim must still be this user's (no concurrent move).
    {
      item: { Delete: { TableName, Key: keys.claim(op.from), ConditionExpression: 'userId = :id', ExpressionAttributeValues: { ':id': op.userId } } },
      onExisting: 'user_changed',
      onMissing: 'user_changed',
    },
    // The new address must be free: uniqueness holds across email changes too (the claim of an
    // expired never-confirmed account is free, as for a registration).
    {
      item: {
        Put: {
          TableName,
          Item: { ...keys.claim(op.to), userId: op.userId },
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':now': now },
        },
      },
      onExisting: 'email_taken',
      onMissing: 'email_taken',
    },
    {
      item: {
        Update: e.attach({
          TableName,
          Key: keys.user(op.userId),
          UpdateExpression: `SET ${sets.join(', ')}${bump}`,
          ConditionExpression: condition,
          ReturnValuesOnConditionCheckFailure: check,
        }),
      },
      onExisting: 'user_changed',
      onMissing: 'not_found',
    },
  ];
}

function planSetClaimExpiry(op: OpOf<'setClaimExpiry'>, { TableName }: PlanContext): Planned[] {
  return [
    // The claim must still be this user's: after an expiry, a new registrant may hold it.
    {
      item: {
        Update: {
          TableName,
          Key: keys.claim(op.emailCanonical),
          UpdateExpression: op.expiresAt === null ? 'REMOVE #ttl' : 'SET #ttl = :ttl',
          ConditionExpression: 'userId = :id',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: { ':id': op.userId, ...(op.expiresAt === null ? {} : { ':ttl': op.expiresAt }) },
        },
      },
      onExisting: 'user_changed',
      onMissing: 'user_changed',
    },
  ];
}

function planPutSession(op: OpOf<'putSession'>, { TableName }: PlanContext): Planned[] {
  return [
    {
      item: { Put: { TableName, Item: { ...keys.session(op.session.userId, op.session.id), ...op.session, ttl: op.session.expiresAt } } },
      onExisting: 'session_gone',
      onMissing: 'session_gone',
    },
  ];
}

function planUpdateSession(op: OpOf<'updateSession'>, { TableName }: PlanContext): Planned[] {
  const e = new Expression();
  const sets = e.assignments(op.set);
  let condition = 'attribute_exists(pk)';
  // Spending a renewal token: only the request that still sees its hash may rotate it.
  if (op.ifRenewalHash !== undefined) condition += ` AND ${e.name('renewalHash')} = ${e.value(op.ifRenewalHash)}`;
  if (op.ifRole !== undefined) condition += ` AND ${e.name('role')} = ${e.value(op.ifRole)}`;
  // A step-up: the session still has the token that proved it (not renewed or revoked meanwhile).
  if (op.ifJti !== undefined) condition += ` AND ${e.name('currentJti')} = ${e.value(op.ifJti)}`;
  const { ifRenewalHash, ifRole } = op;
  return [
    {
      item: {
        Update: e.attach({
          TableName,
          Key: keys.session(op.userId, op.id),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ReturnValuesOnConditionCheckFailure: check,
        }),
      },
      onExisting: 'token_mismatch',
      onMissing: 'session_gone',
      // Which condition failed, from the item as it was.
      classify: (item) => {
        const plain = (value: unknown) => (typeof value === 'object' && value !== null && 'S' in value ? (value as { S: string }).S : value);
        if (ifRenewalHash !== undefined && plain(item.renewalHash) !== ifRenewalHash) return 'token_mismatch';
        if (ifRole !== undefined && plain(item.role) !== ifRole) return 'user_changed';
        return 'token_mismatch';
      },
    },
  ];
}

function planDeleteSession(op: OpOf<'deleteSession'>, { TableName }: PlanContext): Planned[] {
  return [{ item: { Delete: { TableName, Key: keys.session(op.userId, op.id) } }, onExisting: 'session_gone', onMissing: 'session_gone' }];
}

function planPutToken(op: OpOf<'putToken'>, { TableName }: PlanContext): Planned[] {
  // Overwrites the user's earlier token of this kind: a new link kills the old one.
  return [
    {
      item: { Put: { TableName, Item: { ...keys.token(op.token.userId, op.token.kind), ...op.token, ttl: op.token.expiresAt } } },
      onExisting: 'token_mismatch',
      onMissing: 'token_mismatch',
    },
  ];
}

function planConsumeToken(op: OpOf<'consumeToken'>, { TableName }: PlanContext): Planned[] {
  // Single use: of two concurrent uses, only the one that still finds the hash deletes it.
  return [
    {
      item: {
        Delete: {
          TableName,
          Key: keys.token(op.userId, op.kind),
          ConditionExpression: '#h = :h AND expiresAt > :now',
          ExpressionAttributeNames: { '#h': 'hash' },
          ExpressionAttributeValues: { ':h': op.hash, ':now': op.now },
        },
      },
      onExisting: 'token_mismatch',
      onMissing: 'token_mismatch',
    },
  ];
}

function planDeleteToken(op: OpOf<'deleteToken'>, { TableName }: PlanContext): Planned[] {
  return [{ item: { Delete: { TableName, Key: keys.token(op.userId, op.kind) } }, onExisting: 'token_mismatch', onMissing: 'token_mismatch' }];
}

function planEnqueueMail(op: OpOf<'enqueueMail'>, { TableName }: PlanContext): Planned[] {
  return [
    {
      item: {
        Put: {
          TableName,
          Item: { ...keys.outbox(op.mail.id), ...op.mail, ttl: op.mail.expiresAt },
          // Ids are random; a collision must not overwrite a mail that is still waiting.
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      onExisting: 'token_mismatch',
      onMissing: 'token_mismatch',
    },
  ];
}

function planDeleteMail(op: OpOf<'deleteMail'>, { TableName }: PlanContext): Planned[] {
  return [{ item: { Delete: { TableName, Key: keys.outbox(op.id) } }, onExisting: 'token_mismatch', onMissing: 'token_mismatch' }];
}

function planCountMail(op: OpOf<'countMail'>, { TableName }: PlanContext): Planned[] {
  const values = { ':one': 1, ':now': op.now, ':end': op.now + op.windowSeconds, ':limit': op.limit };
  const names = { '#count': 'count', '#windowEnds': 'windowEnds', '#ttl': 'ttl' };
  const update = op.restart
    ? {
        UpdateExpression: 'SET #count = :one, #windowEnds = :end, #ttl = :end',
        // Only a window that is over is restarted: of two requests that both found it over,
        // one restarts it and the other fails here and adds to the new window instead.
        ConditionExpression: 'attribute_not_exists(pk) OR #windowEnds <= :now',
        ExpressionAttributeValues: { ':one': 1, ':now': op.now, ':end': op.now + op.windowSeconds },
      }
    : {
        UpdateExpression: 'ADD #count :one SET #windowEnds = if_not_exists(#windowEnds, :end), #ttl = if_not_exists(#ttl, :end)',
        // An atomic ADD under the limit in the running window: of concurrent requests, at
        // most `limit` pass, whatever they read before; a stale window is never added to.
        ConditionExpression: 'attribute_not_exists(pk) OR (#windowEnds > :now AND #count < :limit)',
        ExpressionAttributeValues: values,
      };
  return [
    {
      item: { Update: { TableName, Key: keys.mailCap(op.scope), ExpressionAttributeNames: names, ReturnValuesOnConditionCheckFailure: check, ...update } },
      onExisting: 'mail_capped',
      onMissing: 'mail_window',
      classify: (item) => {
        const verdict = mailCapVerdict(mailCapOf(item), op);
        return verdict === 'ok' ? 'mail_window' : verdict;
      },
    },
  ];
}

function planAppendAuditEvent(op: OpOf<'appendAuditEvent'>, { tables }: PlanContext): Planned[] {
  return [
    // Append-only: a Put that never replaces (the functions' roles may do nothing else there).
    {
      item: { Put: { TableName: tables.audit, Item: auditItem(op.event), ConditionExpression: 'attribute_not_exists(pk)' } },
      onExisting: 'audit_duplicate',
      onMissing: 'audit_duplicate',
    },
  ];
}

/** The plans of the ops every function may commit: users, sessions, tokens, mail, audit events. */
export const CORE_WRITE_PLANS = {
  createUser: planCreateUser,
  updateUser: planUpdateUser,
  checkUser: planCheckUser,
  deleteUser: planDeleteUser,
  moveEmail: planMoveEmail,
  setClaimExpiry: planSetClaimExpiry,
  putSession: planPutSession,
  updateSession: planUpdateSession,
  deleteSession: planDeleteSession,
  putToken: planPutToken,
  consumeToken: planConsumeToken,
  deleteToken: planDeleteToken,
  enqueueMail: planEnqueueMail,
  deleteMail: planDeleteMail,
  countMail: planCountMail,
  appendAuditEvent: planAppendAuditEvent,
} satisfies WritePlans;

/**
 * The user item's clauses of a code spent in a user update (`docs/specs/mfa-and-passkeys.md`
 * §12): the matched TOTP step must be above the item's own `totp.lastStep` (set at enrolment, and
 * by tables written before the step moved, see {@link seqPlan}), a recovery code must exist unused
 * (one code, two requests). Without `conditionOnly` the write records the recovery code and a
 * re-encrypted TOTP secret; the TOTP step itself is recorded on the sequence item
 * ({@link seqPlan}: `totpStep`), so a spent step alone leaves the user item unwritten.
 */
export function spendClauses(e: Expression, spend: CodeSpend): { sets: string[]; conditions: string[] } {
  const sets: string[] = [];
  const conditions: string[] = [];
  if (spend.totpStep !== undefined) {
    conditions.push(`${e.name('totp')}.${e.name('lastStep')} < ${e.value(spend.totpStep)}`);
    // A data-key rotation on use (rare): the secret under the ring's current key.
    if (!spend.conditionOnly && spend.totpSecretEnc !== undefined) sets.push(`${e.name('totp')}.${e.name('secretEnc')} = ${e.value(spend.totpSecretEnc)}`);
  }
  if (spend.recoveryCode) {
    const path = `${e.name('recoveryCodes')}.${e.name(spend.recoveryCode.id)}`;
    const usedAt = `${path}.${e.name('usedAt')}`;
    conditions.push(`attribute_exists(${path})`, `attribute_not_exists(${usedAt})`);
    if (!spend.conditionOnly) sets.push(`${usedAt} = ${e.value(spend.recoveryCode.usedAt)}`);
  }
  return { sets, conditions };
}

/** An item a failed condition returned, plain (transactions return DynamoDB's attribute-value form). */
export function plainItem(item: Item): Item {
  const pk = item.pk;
  return typeof pk === 'object' && pk !== null && 'S' in pk ? unmarshall(item as Parameters<typeof unmarshall>[0]) : item;
}

/**
 * Whether an item of the user as a failed condition returned it shows the code already spent
 * (rather than another guard failing): the user item (`totp.lastStep`, a recovery code's
 * `usedAt`) or the sequence item (`totpStep`, the last step spent). The store classifies each
 * failed item of the transaction; a spent code on either explains the failure.
 */
export function codeWasSpent(item: Item, spend: CodeSpend): boolean {
  if (String(item.sk) !== keys.userSeq('').sk) return userShowsSpent(item, spend);
  // The sequence item: only the TOTP step is recorded there (a missing `totpStep`: none spent yet).
  return spend.totpStep !== undefined && item.totpStep !== undefined && Number(item.totpStep) >= spend.totpStep;
}

function userShowsSpent(user: Item, spend: CodeSpend): boolean {
  const totp = user.totp as { lastStep?: number } | undefined;
  if (spend.totpStep !== undefined && !(totp && Number(totp.lastStep) < spend.totpStep)) return true;
  if (spend.recoveryCode) {
    const entry = (user.recoveryCodes as Record<string, { usedAt?: string }> | undefined)?.[spend.recoveryCode.id];
    if (!entry || entry.usedAt !== undefined) return true;
  }
  return false;
}

/**
 * The user item with its key, its entry in the users index (the admin listing, on the user's
 * shard) and its TTL, if it expires. `sessionSeq` is not stored here but in the sequence item
 * (missing: 0), so a new user has none.
 */
export function userItem(user: User): Item {
  const { expiresAt, sessionSeq: _seq, ...rest } = user;
  const expiry = typeof expiresAt === 'number' ? { expiresAt, ...ttlOf(expiresAt) } : {};
  return { ...keys.user(user.id), gsi1pk: usersShardOf(user.id), gsi1sk: `${user.emailCanonical}#${user.id}`, ...rest, ...expiry };
}

/** A user guard without its `sessionSeq` clauses: what the user item itself is checked for. */
export function profileGuard(guard: UserGuard | undefined): UserGuard | undefined {
  if (!guard) return guard;
  const { sessionSeq: _eq, sessionSeqAtMost: _atMost, ...rest } = guard;
  return rest;
}

/**
 * The one write on the user's sequence item (DynamoDB refuses two operations on one item in one
 * transaction), for a guard, a bump and a TOTP step spent (none when none of them applies): an
 * `ADD seq 1` under the guard (the item is created by the first bump), and for a spent step
 * `SET totpStep = :step` under `attribute_not_exists(totpStep) OR totpStep < :step`; or a
 * `ConditionCheck` when nothing is written (a guard alone, a `conditionOnly` spend). A missing
 * item is sequence 0 and no step spent. The user item's own `totp.lastStep < :step` goes with the
 * update of the user (`spendClauses`): the step must be above both, and the domain's `lastStep`
 * is the larger of the two (`spentTotpStep`, `shared/domain/totp.ts`).
 *
 * Why here (issue 17, write cost): a user on TOTP spends a step at every sign-in and step-up.
 * On the user item (~3 KB, with its users-index entry) that rewrite cost ~9 WRU per sign-in and
 * loaded the users-index shards; on this small item it costs the update the transaction carries
 * anyway. Its condition failing is `user_changed`, as the guard on the user item was before the
 * sequence moved out of it, or `code_spent` when the item as it was shows the step spent.
 */
export function seqPlan(TableName: string, userId: string, guard: UserGuard | undefined, bump: boolean, spend?: CodeSpend): Planned[] {
  const e = new Expression();
  const clauses: string[] = [];
  const guarded = e.seqGuard(guard);
  if (guarded !== undefined) clauses.push(guarded);
  const sets: string[] = [];
  const step = spend?.totpStep;
  if (step !== undefined) {
    const name = e.name('totpStep');
    const value = e.value(step);
    clauses.push(`(attribute_not_exists(${name}) OR ${name} < ${value})`);
    if (!spend?.conditionOnly) sets.push(`${name} = ${value}`);
  }
  const condition = clauses.length > 0 ? clauses.join(' AND ') : undefined;
  const update = [sets.length > 0 ? `SET ${sets.join(', ')}` : '', bump ? `ADD ${e.name('seq')} ${e.value(1)}` : ''].join(' ').trim();
  if (update === '' && condition === undefined) return [];
  const failure = step !== undefined ? { ReturnValuesOnConditionCheckFailure: check } : {};
  const item: TransactItem =
    update !== ''
      ? {
          Update: e.attach({
            TableName,
            Key: keys.userSeq(userId),
            UpdateExpression: update,
            ...(condition ? { ConditionExpression: condition } : {}),
            ...failure,
          }),
        }
      : { ConditionCheck: e.attach({ TableName, Key: keys.userSeq(userId), ConditionExpression: condition as string, ...failure }) };
  const classify =
    spend && step !== undefined ? { classify: (old: Item) => (codeWasSpent(plainItem(old), spend) ? 'code_spent' : 'user_changed') as ConflictReason } : {};
  return [{ item, onExisting: 'user_changed', onMissing: 'user_changed', ...classify }];
}

/** The TTL attribute for an expiry (none when there is none). */
export function ttlOf(expiresAt: number | null | undefined): Item {
  return typeof expiresAt === 'number' ? { ttl: expiresAt } : {};
}

/**
 * `SET` clauses of a user update, where `expiresAt` also drives the item's TTL: a number sets
 * both, null removes both (a confirmed account never expires).
 */
export function expiryAware(e: Expression, fields: Record<string, unknown>): { sets: string[]; removes: string[] } {
  const { expiresAt, ...rest } = fields;
  const sets = e.assignments(rest);
  const removes: string[] = [];
  if (typeof expiresAt === 'number') sets.push(`${e.name('expiresAt')} = ${e.value(expiresAt)}`, `${e.name('ttl')} = ${e.value(expiresAt)}`);
  else if (expiresAt === null) removes.push(e.name('expiresAt'), e.name('ttl'));
  return { sets, removes };
}
