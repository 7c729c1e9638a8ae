import { Expression } from './expression.js';
import { keys } from './table.js';
import { check, type OpOf, type PlanContext, type Planned, type WritePlans } from './write-plan.js';

function planPutWebauthnChallenge(op: OpOf<'putWebauthnChallenge'>, { TableName }: PlanContext): Planned[] {
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
}

function planConsumeWebauthnChallenge(op: OpOf<'consumeWebauthnChallenge'>, { TableName }: PlanContext): Planned[] {
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

function planPutPasskey(op: OpOf<'putPasskey'>, { TableName }: PlanContext): Planned[] {
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
}

function planUpdatePasskey(op: OpOf<'updatePasskey'>, { TableName }: PlanContext): Planned[] {
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

function planDeletePasskey(op: OpOf<'deletePasskey'>, { TableName }: PlanContext): Planned[] {
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
}

/** The plans of WebAuthn ceremonies and passkeys (`docs/specs/mfa-and-passkeys.md`). */
export const PASSKEYS_WRITE_PLANS = {
  putWebauthnChallenge: planPutWebauthnChallenge,
  consumeWebauthnChallenge: planConsumeWebauthnChallenge,
  putPasskey: planPutPasskey,
  updatePasskey: planUpdatePasskey,
  deletePasskey: planDeletePasskey,
} satisfies WritePlans;
