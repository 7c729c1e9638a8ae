/**
 * Small readers over a synthesized template for the infra tests: references between resources,
 * the IAM statements of a function's role, the function behind a route.
 */
import type { CfnResource, TemplateJson } from './synth.js';

/** One IAM policy statement as it appears in the template. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
}

/** Logical ids a value refers to (`Ref`, `Fn::GetAtt`, `Fn::Sub` placeholders), pseudo parameters left out. */
export function referencesIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) referencesIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::')) found.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string') found.add(inner[0]);
      else if (key === 'Fn::GetAtt' && typeof inner === 'string') found.add(inner.split('.')[0] as string);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === 'string') {
          for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g)) if (!m[1]?.startsWith('AWS')) found.add(m[1] as string);
        }
        if (Array.isArray(inner)) referencesIn(inner[1], found);
      } else referencesIn(inner, found);
    }
  }
  return found;
}

/** A dependency cycle between resources (as logical ids), if the template has one. */
export function findCycle(json: TemplateJson): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(json.Resources)) {
    const deps = referencesIn(resource.Properties);
    const dependsOn = resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
    for (const d of dependsOn) deps.add(d);
    edges.set(
      id,
      [...deps].filter((d) => d in json.Resources),
    );
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Resources of one type, by logical id. */
export function resourcesOfType(json: TemplateJson, type: string): Array<[string, CfnResource]> {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

function props(resource: CfnResource | undefined): Record<string, unknown> {
  return resource?.Properties ?? {};
}

/** The logical id of the role a Lambda function runs with. */
export function roleOf(json: TemplateJson, functionId: string): string {
  const role = props(json.Resources[functionId]).Role;
  const [roleId] = referencesIn(role);
  if (!roleId) throw new Error(`${functionId} has no role reference`);
  return roleId;
}

/** Every statement of the inline policies attached to a role. */
export function statementsOfRole(json: TemplateJson, roleId: string): Statement[] {
  const statements: Statement[] = [];
  for (const [, policy] of resourcesOfType(json, 'AWS::IAM::Policy')) {
    const roles = props(policy).Roles as unknown[];
    if (!roles.some((r) => referencesIn(r).has(roleId))) continue;
    const document = props(policy).PolicyDocument as { Statement: Statement[] };
    statements.push(...document.Statement);
  }
  const inline = (props(json.Resources[roleId]).Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? [];
  for (const p of inline) statements.push(...p.PolicyDocument.Statement);
  return statements;
}

/** The actions of a statement as a list. */
export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The resources of a statement as a list. */
export function resourcesOf(statement: Statement): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** `routeKey` → logical id of the Lambda function its integration invokes. */
export function routeTargets(json: TemplateJson): Map<string, string> {
  const targets = new Map<string, string>();
  for (const [, route] of resourcesOfType(json, 'AWS::ApiGatewayV2::Route')) {
    const [integrationId] = referencesIn(props(route).Target);
    const uri = props(json.Resources[integrationId ?? '']).IntegrationUri;
    const [functionId] = referencesIn(uri);
    targets.set(String(props(route).RouteKey), functionId ?? '');
  }
  return targets;
}
