import { keys } from './table.js';
import { type OpOf, type PlanContext, type Planned, type WritePlans } from './write-plan.js';

function planPutTotpPending(op: OpOf<'putTotpPending'>, { TableName }: PlanContext): Planned[] {
  // Replaces an earlier pending enrolment: only the latest secret can be confirmed.
  return [
    {
      item: { Put: { TableName, Item: { ...keys.totpPending(op.pending.userId), ...op.pending, ttl: op.pending.expiresAt } } },
      onExisting: 'token_mismatch',
      onMissing: 'token_mismatch',
    },
  ];
}

function planConsumeTotpPending(op: OpOf<'consumeTotpPending'>, { TableName }: PlanContext): Planned[] {
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
}

function planPutMfaChallenge(op: OpOf<'putMfaChallenge'>, { TableName }: PlanContext): Planned[] {
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
}

function planFailMfaChallenge(op: OpOf<'failMfaChallenge'>, { TableName }: PlanContext): Planned[] {
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
}

function planConsumeMfaChallenge(op: OpOf<'consumeMfaChallenge'>, { TableName }: PlanContext): Planned[] {
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
}

/** The plans of TOTP enrolment and the second step of a sign-in (`docs/specs/mfa-and-passkeys.md`). */
export const MFA_WRITE_PLANS = {
  putTotpPending: planPutTotpPending,
  consumeTotpPending: planConsumeTotpPending,
  putMfaChallenge: planPutMfaChallenge,
  failMfaChallenge: planFailMfaChallenge,
  consumeMfaChallenge: planConsumeMfaChallenge,
} satisfies WritePlans;
