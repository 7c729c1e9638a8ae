import { keys } from './table.js';
import { type OpOf, type PlanContext, type Planned, type WritePlans } from './write-plan.js';

function planPutOAuth2Code(op: OpOf<'putOAuth2Code'>, { TableName }: PlanContext): Planned[] {
  return [
    {
      item: {
        Put: { TableName, Item: { ...keys.oauth2Code(op.code.hash), ...op.code }, ConditionExpression: 'attribute_not_exists(pk)' },
      },
      onExisting: 'token_mismatch',
      onMissing: 'token_mismatch',
    },
  ];
}

function planRedeemOAuth2Code(op: OpOf<'redeemOAuth2Code'>, { TableName }: PlanContext): Planned[] {
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
}

/** The plans of the hosted UI hand-off's authorization codes (`docs/specs/hosted-ui.md` §6). */
export const OAUTH2_WRITE_PLANS = {
  putOAuth2Code: planPutOAuth2Code,
  redeemOAuth2Code: planRedeemOAuth2Code,
} satisfies WritePlans;
