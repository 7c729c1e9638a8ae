import { Expression, type Item } from './expression.js';
import { keys } from './table.js';
import { check, type OpOf, type PlanContext, type Planned, plainItem, type WritePlans } from './write-plan.js';

function planPutOAuthItem(op: OpOf<'putOAuthItem'>, { TableName }: PlanContext): Planned[] {
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
}

function planConsumeOAuthItem(op: OpOf<'consumeOAuthItem'>, { TableName }: PlanContext): Planned[] {
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

function planPutIdentity(op: OpOf<'putIdentity'>, { TableName }: PlanContext): Planned[] {
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

function planUpdateIdentity(op: OpOf<'updateIdentity'>, { TableName }: PlanContext): Planned[] {
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

function planDeleteIdentity(op: OpOf<'deleteIdentity'>, { TableName }: PlanContext): Planned[] {
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
}

function planCountSignInMethods(op: OpOf<'countSignInMethods'>, { TableName }: PlanContext): Planned[] {
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

/** The plans of social sign-in: flow items and linked identities (`docs/specs/social-sign-in.md` §8). */
export const OAUTH_WRITE_PLANS = {
  putOAuthItem: planPutOAuthItem,
  consumeOAuthItem: planConsumeOAuthItem,
  putIdentity: planPutIdentity,
  updateIdentity: planUpdateIdentity,
  deleteIdentity: planDeleteIdentity,
  countSignInMethods: planCountSignInMethods,
} satisfies WritePlans;
