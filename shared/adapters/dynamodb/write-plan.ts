import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ConflictReason } from '../../domain/errors.js';
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

/**
 * The DynamoDB writes of one port write, each with its condition and what the condition failing
 * means. Pure: `commit` sends the plans of all ops as one transaction (or one plain write).
 * `now` (epoch seconds, the store's clock) is when an expired claim may be replaced.
 */
export function planWrite(tables: TableNames, op: WriteOp, now: number): Planned[] {
  const TableName = tables.main;
  const check = 'ALL_OLD' as const;
  switch (op.type) {
    case 'createUser':
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
    case 'updateUser': {
      // `sessionSeq` lives in its own item (table.ts): its guard and bump go there, so a
      // sign-in (a bump and a guard, nothing else) only condition-checks the user item.
      const seq = seqPlan(TableName, op.id, op.guard, op.bumpSeq === true);
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
        if (!op.spend) return [...planWrite(tables, { type: 'checkUser', id: op.id, guard: guard ?? {} }, now), ...seq];
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
    case 'checkUser': {
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
    case 'deleteUser': {
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
    case 'moveEmail': {
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
    case 'setClaimExpiry':
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
    case 'putSession':
      return [
        {
          item: { Put: { TableName, Item: { ...keys.session(op.session.userId, op.session.id), ...op.session, ttl: op.session.expiresAt } } },
          onExisting: 'session_gone',
          onMissing: 'session_gone',
        },
      ];
    case 'updateSession': {
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
    case 'deleteSession':
      return [{ item: { Delete: { TableName, Key: keys.session(op.userId, op.id) } }, onExisting: 'session_gone', onMissing: 'session_gone' }];
    case 'putToken':
      // Overwrites the user's earlier token of this kind: a new link kills the old one.
      return [
        {
          item: { Put: { TableName, Item: { ...keys.token(op.token.userId, op.token.kind), ...op.token, ttl: op.token.expiresAt } } },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'consumeToken':
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
    case 'deleteToken':
      return [{ item: { Delete: { TableName, Key: keys.token(op.userId, op.kind) } }, onExisting: 'token_mismatch', onMissing: 'token_mismatch' }];
    case 'enqueueMail':
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
    case 'deleteMail':
      return [{ item: { Delete: { TableName, Key: keys.outbox(op.id) } }, onExisting: 'token_mismatch', onMissing: 'token_mismatch' }];
    case 'countMail': {
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
    case 'putTotpPending':
      // Replaces an earlier pending enrolment: only the latest secret can be confirmed.
      return [
        {
          item: { Put: { TableName, Item: { ...keys.totpPending(op.pending.userId), ...op.pending, ttl: op.pending.expiresAt } } },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'consumeTotpPending':
      // Single use, and only the enrolment that was read: not expired, not replaced meanwhile.
      return [
        {
          item: {
            Delete: {
              TableName,
              Key: keys.totpPending(op.userId),
              ConditionExpression: 'secretEnc = :s AND expiresAt > :now',
              ExpressionAttributeValues: { ':s': op.secretEnc, ':now': op.now },
            },
          },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'putWebauthnChallenge':
      return [
        {
          item: {
            Put: {
              TableName,
              Item: { ...keys.webauthnChallenge(op.challenge.hash), ...op.challenge, ttl: op.challenge.expiresAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'consumeWebauthnChallenge': {
      // Single use before verification, and only for its own ceremony, purpose and binding.
      const e = new Expression();
      const b = op.binding;
      const parts = [
        `${e.name('expiresAt')} > ${e.value(op.now)}`,
        `${e.name('ceremony')} = ${e.value(b.ceremony)}`,
        `${e.name('purpose')} = ${e.value(b.purpose)}`,
      ];
      for (const member of ['userId', 'sessionId', 'mfaHash'] as const) {
        const value = b[member];
        parts.push(value === undefined ? `attribute_not_exists(${e.name(member)})` : `${e.name(member)} = ${e.value(value)}`);
      }
      return [
        {
          item: { Delete: e.attach({ TableName, Key: keys.webauthnChallenge(op.hash), ConditionExpression: parts.join(' AND ') }) },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    }
    case 'putPasskey':
      return [
        // The claim: a credential id belongs to one user (WebAuthn §7.1), also under two racing registrations.
        {
          item: {
            Put: {
              TableName,
              Item: { ...keys.passkeyClaim(op.passkey.id), userId: op.passkey.userId },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onExisting: 'credential_taken',
          onMissing: 'credential_taken',
        },
        {
          item: {
            Put: { TableName, Item: { ...keys.passkey(op.passkey.userId, op.passkey.id), ...op.passkey }, ConditionExpression: 'attribute_not_exists(pk)' },
          },
          onExisting: 'credential_taken',
          onMissing: 'credential_taken',
        },
      ];
    case 'updatePasskey': {
      const e = new Expression();
      const sets = e.assignments(op.set);
      const parts = ['attribute_exists(pk)'];
      // Two assertions racing with one credential: only one moves the counter from what it read.
      if (op.ifCounter !== undefined) parts.push(`${e.name('counter')} = ${e.value(op.ifCounter)}`);
      if (op.ifEnabled) parts.push(`attribute_not_exists(${e.name('disabledAt')})`);
      return [
        {
          item: {
            Update: e.attach({
              TableName,
              Key: keys.passkey(op.userId, op.id),
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: parts.join(' AND '),
              ReturnValuesOnConditionCheckFailure: check,
            }),
          },
          onExisting: 'token_mismatch',
          onMissing: 'not_found',
        },
      ];
    }
    case 'deletePasskey':
      return [
        {
          item: { Delete: { TableName, Key: keys.passkey(op.userId, op.id), ConditionExpression: 'attribute_exists(pk)' } },
          onExisting: 'not_found',
          onMissing: 'not_found',
        },
        // Only the user's own claim is released.
        {
          item: {
            Delete: {
              TableName,
              Key: keys.passkeyClaim(op.id),
              ConditionExpression: 'attribute_not_exists(pk) OR userId = :id',
              ExpressionAttributeValues: { ':id': op.userId },
            },
          },
          onExisting: 'user_changed',
          onMissing: 'user_changed',
        },
      ];
    case 'putMfaChallenge':
      // A fresh random hash: never replaces (a collision is a conflict, not an overwrite).
      return [
        {
          item: {
            Put: {
              TableName,
              Item: { ...keys.mfaChallenge(op.challenge.userId, op.challenge.hash), ...op.challenge, ttl: op.challenge.expiresAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'failMfaChallenge':
      // One wrong answer: the condition holds the budget, so a burst of guesses cannot exceed it.
      return [
        {
          item: {
            Update: {
              TableName,
              Key: keys.mfaChallenge(op.userId, op.hash),
              UpdateExpression: 'ADD #attempts :one',
              ConditionExpression: '#attempts < :max AND #expiresAt > :now',
              ExpressionAttributeNames: { '#attempts': 'attempts', '#expiresAt': 'expiresAt' },
              ExpressionAttributeValues: { ':one': 1, ':max': op.max, ':now': op.now },
            },
          },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'consumeMfaChallenge':
      // Single use: of two requests with one challenge, only one deletes it.
      return [
        {
          item: {
            Delete: {
              TableName,
              Key: keys.mfaChallenge(op.userId, op.hash),
              ConditionExpression: '#attempts < :max AND #expiresAt > :now',
              ExpressionAttributeNames: { '#attempts': 'attempts', '#expiresAt': 'expiresAt' },
              ExpressionAttributeValues: { ':max': op.max, ':now': op.now },
            },
          },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'appendAuditEvent':
      return [
        // Append-only: a Put that never replaces (the functions' roles may do nothing else there).
        {
          item: { Put: { TableName: tables.audit, Item: auditItem(op.event), ConditionExpression: 'attribute_not_exists(pk)' } },
          onExisting: 'audit_duplicate',
          onMissing: 'audit_duplicate',
        },
      ];
    // --- social sign-in (docs/specs/social-sign-in.md §8) ---
    case 'putOAuthItem':
      return [
        {
          item: {
            Put: {
              TableName,
              Item: { ...keys.oauthItem(op.item.kind, op.item.hash), ...op.item, ttl: op.item.expiresAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    // --- the hand-off (docs/specs/hosted-ui.md §6) ---
    case 'putOAuth2Code':
      return [
        {
          item: {
            Put: { TableName, Item: { ...keys.oauth2Code(op.code.hash), ...op.code }, ConditionExpression: 'attribute_not_exists(pk)' },
          },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'redeemOAuth2Code':
      // Single use, bound to its client, redirect URI and challenge: of two redemptions racing, one wins.
      return [
        {
          item: {
            Update: {
              TableName,
              Key: keys.oauth2Code(op.hash),
              UpdateExpression: 'SET redeemedAt = :now, issuedSessionId = :sid',
              ConditionExpression:
                'attribute_exists(pk) AND attribute_not_exists(redeemedAt) AND expiresAt > :now AND clientId = :c AND redirectUri = :r AND codeChallenge = :s256',
              ExpressionAttributeValues: { ':now': op.now, ':sid': op.issuedSessionId, ':c': op.clientId, ':r': op.redirectUri, ':s256': op.codeChallenge },
            },
          },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    case 'consumeOAuthItem': {
      // Single use: two callbacks with one state, or a code injected into another flow, cannot both pass.
      const values: Record<string, unknown> = { ':now': op.now, ':p': op.provider };
      let condition = 'attribute_exists(pk) AND expiresAt > :now AND provider = :p';
      if (op.flowSecretHash !== undefined) {
        condition += ' AND flowSecretHash = :h';
        values[':h'] = op.flowSecretHash;
      }
      return [
        {
          item: { Delete: { TableName, Key: keys.oauthItem(op.kind, op.hash), ConditionExpression: condition, ExpressionAttributeValues: values } },
          onExisting: 'token_mismatch',
          onMissing: 'token_mismatch',
        },
      ];
    }
    case 'putIdentity': {
      const { identity } = op;
      return [
        // Uniqueness of (provider, sub): two links or sign-ups racing for one provider account.
        {
          item: {
            Put: {
              TableName,
              Item: { ...keys.identityClaim(identity.provider, identity.sub), userId: identity.userId, createdAt: identity.createdAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          onExisting: 'identity_taken',
          onMissing: 'identity_taken',
        },
        // One identity per provider per user.
        {
          item: {
            Put: { TableName, Item: { ...keys.identity(identity.userId, identity.provider), ...identity }, ConditionExpression: 'attribute_not_exists(pk)' },
          },
          onExisting: 'identity_exists',
          onMissing: 'identity_exists',
        },
      ];
    }
    case 'updateIdentity': {
      const e = new Expression();
      return [
        {
          item: {
            Update: e.attach({
              TableName,
              Key: keys.identity(op.userId, op.provider),
              UpdateExpression: `SET ${e.assignments(op.set).join(', ')}`,
              ConditionExpression: 'attribute_exists(pk)',
            }),
          },
          onExisting: 'not_found',
          onMissing: 'not_found',
        },
      ];
    }
    case 'deleteIdentity':
      return [
        {
          item: {
            Delete: {
              TableName,
              Key: keys.identityClaim(op.provider, op.sub),
              ConditionExpression: 'userId = :id',
              ExpressionAttributeValues: { ':id': op.userId },
            },
          },
          onExisting: 'not_found',
          onMissing: 'not_found',
        },
        {
          item: { Delete: { TableName, Key: keys.identity(op.userId, op.provider), ConditionExpression: 'attribute_exists(pk)' } },
          onExisting: 'not_found',
          onMissing: 'not_found',
        },
      ];
    case 'countSignInMethods': {
      const e = new Expression();
      const name = e.name('signInMethods');
      let condition = e.guard(op.guard);
      if (op.above !== undefined) condition += ` AND ${name} > ${e.value(op.above)}`;
      const above = op.above;
      return [
        {
          item: {
            Update: e.attach({
              TableName,
              Key: keys.user(op.userId),
              UpdateExpression: `SET ${name} = if_not_exists(${name}, ${e.value(op.ifAbsent)}) + ${e.value(op.add)}`,
              ConditionExpression: condition,
              ReturnValuesOnConditionCheckFailure: check,
            }),
          },
          onExisting: 'user_changed',
          onMissing: 'not_found',
          classify: (item: Item) => {
            const count = Number(plainItem(item).signInMethods);
            return above !== undefined && !(count > above) ? 'last_method' : 'user_changed';
          },
        },
      ];
    }
  }
}

/**
 * The clauses of a code spent in a user update (`docs/specs/mfa-and-passkeys.md` §12): the
 * matched TOTP step must be above `totp.lastStep` (replay, also across two requests), a recovery
 * code must exist unused (one code, two requests). Without `conditionOnly` the write records it.
 */
function spendClauses(e: Expression, spend: CodeSpend): { sets: string[]; conditions: string[] } {
  const sets: string[] = [];
  const conditions: string[] = [];
  if (spend.totpStep !== undefined) {
    const path = `${e.name('totp')}.${e.name('lastStep')}`;
    const step = e.value(spend.totpStep);
    conditions.push(`${path} < ${step}`);
    if (!spend.conditionOnly) {
      sets.push(`${path} = ${step}`);
      if (spend.totpSecretEnc !== undefined) sets.push(`${e.name('totp')}.${e.name('secretEnc')} = ${e.value(spend.totpSecretEnc)}`);
    }
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
function plainItem(item: Item): Item {
  const pk = item.pk;
  return typeof pk === 'object' && pk !== null && 'S' in pk ? unmarshall(item as Parameters<typeof unmarshall>[0]) : item;
}

/** Whether the user item as it was shows the code already spent (rather than another guard failing). */
function codeWasSpent(user: Item, spend: CodeSpend): boolean {
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
function userItem(user: User): Item {
  const { expiresAt, sessionSeq: _seq, ...rest } = user;
  const expiry = typeof expiresAt === 'number' ? { expiresAt, ...ttlOf(expiresAt) } : {};
  return { ...keys.user(user.id), gsi1pk: usersShardOf(user.id), gsi1sk: `${user.emailCanonical}#${user.id}`, ...rest, ...expiry };
}

/** A user guard without its `sessionSeq` clauses: what the user item itself is checked for. */
function profileGuard(guard: UserGuard | undefined): UserGuard | undefined {
  if (!guard) return guard;
  const { sessionSeq: _eq, sessionSeqAtMost: _atMost, ...rest } = guard;
  return rest;
}

/**
 * The write on the user's sequence item for a guard and a bump (none when neither touches
 * `sessionSeq`): an `ADD seq 1` under the guard (the item is created by the first bump), or a
 * `ConditionCheck` of the guard alone. A missing item is sequence 0. Its condition failing is
 * `user_changed`, as the guard on the user item was before the sequence moved out of it.
 */
function seqPlan(TableName: string, userId: string, guard: UserGuard | undefined, bump: boolean): Planned[] {
  const e = new Expression();
  const condition = e.seqGuard(guard);
  if (!bump && condition === undefined) return [];
  const item: TransactItem = bump
    ? {
        Update: e.attach({
          TableName,
          Key: keys.userSeq(userId),
          UpdateExpression: `ADD ${e.name('seq')} ${e.value(1)}`,
          ...(condition ? { ConditionExpression: condition } : {}),
        }),
      }
    : { ConditionCheck: e.attach({ TableName, Key: keys.userSeq(userId), ConditionExpression: condition as string }) };
  return [{ item, onExisting: 'user_changed', onMissing: 'user_changed' }];
}

/** The TTL attribute for an expiry (none when there is none). */
function ttlOf(expiresAt: number | null | undefined): Item {
  return typeof expiresAt === 'number' ? { ttl: expiresAt } : {};
}

/**
 * `SET` clauses of a user update, where `expiresAt` also drives the item's TTL: a number sets
 * both, null removes both (a confirmed account never expires).
 */
function expiryAware(e: Expression, fields: Record<string, unknown>): { sets: string[]; removes: string[] } {
  const { expiresAt, ...rest } = fields;
  const sets = e.assignments(rest);
  const removes: string[] = [];
  if (typeof expiresAt === 'number') sets.push(`${e.name('expiresAt')} = ${e.value(expiresAt)}`, `${e.name('ttl')} = ${e.value(expiresAt)}`);
  else if (expiresAt === null) removes.push(e.name('expiresAt'), e.name('ttl'));
  return { sets, removes };
}
