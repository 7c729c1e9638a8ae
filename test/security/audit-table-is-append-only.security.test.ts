/**
 * The functions' roles cannot update or delete audit items (`docs/specs/audit-and-breached-passwords.md`
 * §2, §11.1 property 3; ASVS 16.4.2): every IAM policy of the synthesized stack is walked, the
 * functions' own, the mail sender's, the key generator's and CDK's. Only `PutItem` reaches the
 * audit table, `Query` and reads by key (the indexes project keys only) only from the `audit`
 * function, and the audit key only to the functions
 * that write events. TTL is the only deletion.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CfnElement } from 'aws-cdk-lib';
import { AUDIT_ACTIONS, accessOf, TABLE_WRITE_ACCESS } from '../../infra/constructs/function-access.js';
import { auditTableDefinition } from '../../shared/adapters/dynamodb/audit-table.js';
import { functionNames, hostedUiFunctions } from '../../shared/http/routes.js';
import { type Synthesized, synthLatch, type TemplateJson } from '../infra/synth.js';
import { actionsOf, referencesIn, resourcesOfType, type Statement } from '../infra/template.js';

const LATCH_FUNCTIONS = [...functionNames().filter((name) => !hostedUiFunctions().has(name)), 'not-found', 'authorizer'];

/** Actions that would let a role change or remove an audit item once written. */
const FORBIDDEN = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'];

/** Every action that reads or writes items. */
const ITEM_ACTIONS = [
  ...FORBIDDEN,
  'dynamodb:PutItem',
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:PartiQLSelect',
  'dynamodb:PartiQLInsert',
];

/** Whether an IAM action pattern (`dynamodb:*`, `dynamodb:Update*`, `*`) covers an action. */
function covers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return regex.test(action);
}

/** One statement with the role(s) it is attached to. */
interface Grant {
  policy: string;
  roles: Set<string>;
  statement: Statement;
}

/** Every statement of every IAM policy in the template: `AWS::IAM::Policy`, managed policies and roles' inline policies. */
function everyGrant(json: TemplateJson): Grant[] {
  const grants: Grant[] = [];
  for (const [id, policy] of [...resourcesOfType(json, 'AWS::IAM::Policy'), ...resourcesOfType(json, 'AWS::IAM::ManagedPolicy')]) {
    const roles = referencesIn(policy.Properties?.Roles);
    const document = policy.Properties?.PolicyDocument as { Statement: Statement[] } | undefined;
    for (const statement of document?.Statement ?? []) grants.push({ policy: id, roles, statement });
  }
  for (const [id, role] of resourcesOfType(json, 'AWS::IAM::Role')) {
    for (const inline of (role.Properties?.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? []) {
      for (const statement of inline.PolicyDocument.Statement) grants.push({ policy: id, roles: new Set([id]), statement });
    }
    // Managed policies by ARN (AWS's own) could grant anything: no role may carry one.
    assert.equal(role.Properties?.ManagedPolicyArns, undefined, `${id}: no AWS managed policies`);
  }
  return grants;
}

/** The environment variables of a Lambda function resource. */
function environmentOf(json: TemplateJson, functionId: string): Record<string, unknown> {
  const environment = json.Resources[functionId]?.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

/** Logical ids of the audit table, its key secret, and the role of each Latch function. */
function ids(synthesized: Synthesized): { table: string; secret: string; roleOf: Map<string, string> } {
  const { stack, json, functionLogicalId } = synthesized;
  const roleOf = new Map<string, string>();
  for (const name of LATCH_FUNCTIONS) {
    const [role] = referencesIn(json.Resources[functionLogicalId(name)]?.Properties?.Role);
    assert.ok(role, name);
    roleOf.set(name, role);
  }
  return {
    table: stack.getLogicalId(stack.latch.auditTable.node.defaultChild as CfnElement),
    secret: stack.getLogicalId(stack.latch.auditKeySecret.node.defaultChild as CfnElement),
    roleOf,
  };
}

/** Whether a statement's resources can reach the audit table (its ARN, an index ARN, or a wildcard). */
function reachesAuditTable(statement: Statement, tableId: string): boolean {
  const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
  return resources.some((r) => r === '*' || referencesIn(r).has(tableId) || (typeof r === 'string' && /dynamodb.*\*/.test(r)));
}

/** What a role may do to the audit table: action → the resources (as JSON) it was granted on. */
function auditActionsOf(grants: Grant[], role: string, tableId: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const { roles, statement } of grants) {
    if (!roles.has(role) || statement.Effect !== 'Allow' || !reachesAuditTable(statement, tableId)) continue;
    for (const action of actionsOf(statement).filter((a) => a.toLowerCase().startsWith('dynamodb:') || a === '*')) {
      found.set(action, [...(found.get(action) ?? []), JSON.stringify(statement.Resource)]);
    }
  }
  return found;
}

test("The functions' roles cannot update or delete audit items", () => {
  for (const context of [{}, { removalPolicy: 'destroy' }]) {
    const synthesized = synthLatch({ context });
    const { json } = synthesized;
    const { table, roleOf } = ids(synthesized);
    const grants = everyGrant(json);
    assert.ok(grants.length > 0);
    // Nor a resource policy on the table: the roles' policies are the only way in.
    assert.equal(json.Resources[table]?.Properties?.ResourcePolicy, undefined);
    assert.equal(resourcesOfType(json, 'AWS::DynamoDB::ResourcePolicy').length, 0);

    // No statement anywhere grants a way to change or remove an audit item, or a wildcard over it.
    for (const { policy, statement } of grants) {
      if (statement.Effect !== 'Allow' || !reachesAuditTable(statement, table)) continue;
      for (const pattern of actionsOf(statement)) {
        for (const forbidden of FORBIDDEN) assert.ok(!covers(pattern, forbidden), `${policy}: ${pattern} on the audit table covers ${forbidden}`);
        assert.notEqual(pattern, '*', `${policy}: * on the audit table`);
        assert.ok(!pattern.includes('*'), `${policy}: wildcard action ${pattern} on the audit table`);
      }
    }

    // Each function: PutItem exactly when it writes events, Query and reads by key only for `audit`, nothing else.
    for (const name of LATCH_FUNCTIONS) {
      const access = accessOf(name).audit;
      const actions = auditActionsOf(grants, roleOf.get(name) as string, table);
      const expected =
        access === 'none'
          ? []
          : access === 'append'
            ? ['dynamodb:PutItem']
            : ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'];
      assert.deepEqual([...AUDIT_ACTIONS[access]].sort(), expected, `AUDIT_ACTIONS.${access}`);
      assert.deepEqual([...actions.keys()].sort(), expected, `${name} (${access})`);
      // PutItem on the table itself only (an index cannot be written).
      for (const resource of actions.get('dynamodb:PutItem') ?? []) assert.ok(!resource.includes('/index/'), `${name}: PutItem on ${resource}`);
    }
    // The writers: every function that changes state (its events go in the same transaction) and `audit`.
    const writers = LATCH_FUNCTIONS.filter((name) => auditActionsOf(grants, roleOf.get(name) as string, table).has('dynamodb:PutItem'));
    assert.deepEqual(
      writers.sort(),
      [...LATCH_FUNCTIONS.filter((name) => TABLE_WRITE_ACCESS.has(accessOf(name).table)), 'audit'].sort(),
      'every function that changes state (and audit) appends events',
    );
    const queriers = LATCH_FUNCTIONS.filter((name) => auditActionsOf(grants, roleOf.get(name) as string, table).has('dynamodb:Query'));
    assert.deepEqual(queriers, ['audit'], 'only the audit function reads the audit log');

    // No other role in the stack (mail sender, key generator, CDK's helpers) reads or writes audit
    // items at all (the mail sender's dynamodb:ListStreams on * lists streams, it touches no item).
    const functionRoles = new Set(roleOf.values());
    for (const { policy, roles, statement } of grants) {
      if ([...roles].some((r) => functionRoles.has(r)) || statement.Effect !== 'Allow' || !reachesAuditTable(statement, table)) continue;
      for (const pattern of actionsOf(statement)) {
        for (const action of ITEM_ACTIONS) assert.ok(!covers(pattern, action), `${policy}: ${pattern} reaches audit items`);
      }
    }
  }
});

test('The audit function queries the audit table and both of its indexes, named, never through a wildcard', () => {
  const synthesized = synthLatch();
  const { table, roleOf } = ids(synthesized);
  const query = auditActionsOf(everyGrant(synthesized.json), roleOf.get('audit') as string, table).get('dynamodb:Query') ?? [];
  const text = query.join(' ');
  for (const index of [auditTableDefinition.dayIndex.name, auditTableDefinition.emailIndex.name]) assert.ok(text.includes(`/index/${index}`), index);
  assert.ok(!text.includes('/index/*'), text);
});

test('The audit key secret is readable only by the functions that write events (and written only by the key generator)', () => {
  const synthesized = synthLatch();
  const { json, stack } = synthesized;
  const { secret, roleOf } = ids(synthesized);
  const generator = stack.latch.signingKeys.node.findChild('KeyGenerator').node.findChild('Function').node.defaultChild as CfnElement;
  const [generatorRole] = referencesIn(json.Resources[stack.getLogicalId(generator)]?.Properties?.Role);
  const readers = new Set<string>();
  for (const { policy, roles, statement } of everyGrant(json)) {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    const reaches = resources.some((r) => r === '*' || referencesIn(r).has(secret));
    const secretActions = actionsOf(statement).filter((a) => a === '*' || a.startsWith('secretsmanager:'));
    if (!reaches || secretActions.length === 0) continue;
    if ([...roles].every((r) => r === generatorRole)) continue;
    assert.deepEqual(secretActions, ['secretsmanager:GetSecretValue'], policy);
    for (const role of roles) readers.add(role);
  }
  const expected = LATCH_FUNCTIONS.filter((name) => accessOf(name).audit !== 'none');
  assert.deepEqual([...readers].sort(), expected.map((name) => roleOf.get(name)).sort());
  assert.deepEqual(expected.sort(), [...LATCH_FUNCTIONS.filter((name) => TABLE_WRITE_ACCESS.has(accessOf(name).table)), 'audit'].sort());
  // The mail sender writes no events: no audit key, no audit table.
  const senderEnv = environmentOf(json, synthesized.functionLogicalId('mail-sender'));
  assert.equal(senderEnv.LATCH_AUDIT_KEY_SECRET, undefined);
  assert.equal(senderEnv.LATCH_AUDIT_TABLE_NAME, undefined);
});

test('The functions that write events name the audit table and key secret in their environment, the others neither', () => {
  const synthesized = synthLatch();
  const { json, functionLogicalId } = synthesized;
  const { table, secret } = ids(synthesized);
  for (const name of LATCH_FUNCTIONS) {
    const env = environmentOf(json, functionLogicalId(name));
    const writes = accessOf(name).audit !== 'none';
    assert.deepEqual(referencesIn(env.LATCH_AUDIT_TABLE_NAME), new Set(writes ? [table] : []), name);
    assert.deepEqual(referencesIn(env.LATCH_AUDIT_KEY_SECRET), new Set(writes ? [secret] : []), name);
  }
  // The CLI finds both of a deployed stack through the outputs.
  assert.deepEqual(referencesIn(json.Outputs?.AuditTableName?.Value), new Set([table]));
  assert.deepEqual(referencesIn(json.Outputs?.AuditKeySecretArn?.Value), new Set([secret]));
});
