import * as z from 'zod/mini';
import type { Config } from '../config.js';
import { PROBLEM_DOCS } from '../domain/problem-docs.js';
import { PROBLEMS, type ProblemCode } from '../domain/problems.js';
import { responseSchemas } from './response-schemas.js';
import { type RouteDoc, routeDocOf, type SuccessDoc } from './route-docs.js';
import { type RouteDefinition, routeKey, routes } from './routes.js';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

/** The parts of an OpenAPI 3.1 document that Latch writes (and its tests read). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, OpenApiResponse>;
    headers: Record<string, { description: string; schema: JsonSchema }>;
    securitySchemes: Record<string, Record<string, string>>;
  };
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  parameters?: Array<{ name: string; in: 'path' | 'query'; required: boolean; description?: string; schema: JsonSchema }>;
  requestBody?: { required: true; content: { 'application/json': { schema: JsonSchema } } };
  security?: Array<Record<string, string[]>>;
  responses: Record<string, OpenApiResponse>;
  /** `none`, `user` or `admin`: who may call the route (the route table's `auth`). */
  'x-latch-auth': RouteDefinition['auth'];
}

export interface OpenApiResponse {
  description: string;
  headers?: Record<string, { $ref: string }>;
  content?: Record<string, { schema: JsonSchema }>;
  /** On error responses: the problem `code`s this route may answer with this status. */
  'x-codes'?: string[];
}

/** The version of this API's contract; bump it with the contract (`docs/API.md`). */
export const API_VERSION = '0.1.0';

/** What each code means, from the one problem table. */
const docOf = (code: ProblemCode): string => PROBLEM_DOCS[code];

const ref = (kind: 'schemas' | 'responses' | 'headers', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/**
 * Codes a route may answer because of what it is, from the route table: every route reads its
 * body (413) and its dependencies may fail (503, 500); a body route parses and type-checks it
 * (400) and refuses a body that is not `application/json` (415); an authenticated route checks the token (401); an admin route the role (403).
 */
export function genericCodes(route: RouteDefinition): ProblemCode[] {
  const codes: ProblemCode[] = ['payload_too_large', 'service_unavailable', 'internal_error'];
  if (route.body) codes.push('bad_request', 'unsupported_media_type');
  if (route.auth !== 'none') codes.push('unauthorized');
  if (route.auth === 'admin') codes.push('forbidden');
  return codes;
}

/** Every code a route may answer: its own (`routeDocs`) and the generic ones. */
export function routeCodes(route: RouteDefinition, doc: RouteDoc): ProblemCode[] {
  return [...new Set<ProblemCode>([...doc.errors, ...genericCodes(route)])];
}

function statusOf(code: ProblemCode): number {
  return PROBLEMS[code].status;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function successList(doc: RouteDoc): readonly SuccessDoc[] {
  return Array.isArray(doc.success) ? doc.success : [doc.success as SuccessDoc];
}

/** The JSON Schema documents of every zod schema the routes use, named components or inline ones. */
function jsonSchemas(docs: Array<{ route: RouteDefinition; doc: RouteDoc }>) {
  const registry = z.registry<{ id: string }>();
  const idOf = new Map<z.ZodMiniType, string>();
  const add = (schema: z.ZodMiniType, id: string) => {
    const known = idOf.get(schema);
    if (known) return known;
    registry.add(schema, { id });
    idOf.set(schema, id);
    return id;
  };
  for (const [name, schema] of Object.entries(responseSchemas)) add(schema, name);
  const inline = new Set<string>();
  for (const { doc } of docs) {
    const name = capitalize(doc.operationId);
    if (doc.request && !idOf.has(doc.request)) inline.add(add(doc.request, `${name}Request`));
    if (doc.query && !idOf.has(doc.query)) inline.add(add(doc.query, `${name}Query`));
    if (doc.form && !idOf.has(doc.form)) inline.add(add(doc.form, `${name}Form`));
    for (const success of successList(doc)) {
      if (success.body !== 'none') add(success.body, `${name}Response${success.status}`);
    }
  }
  const uri = (id: string) => ref('schemas', id).$ref;
  const generated = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'input', uri }).schemas;
  const all: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
    all[id] = rest;
  }
  const components: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(all)) if (!inline.has(id)) components[id] = schema;
  /** The schema for a zod schema: a `$ref` to its component, or (request, query) the schema itself. */
  const schemaFor = (schema: z.ZodMiniType): JsonSchema => {
    const id = idOf.get(schema);
    if (id === undefined) throw new Error('unregistered schema');
    return inline.has(id) ? structuredClone(all[id] as JsonSchema) : ref('schemas', id);
  };
  return { components, schemaFor };
}

function pathParameters(route: RouteDefinition, doc: RouteDoc): NonNullable<OpenApiOperation['parameters']> {
  return [...route.path.matchAll(/\{([A-Za-z]+)\}/g)].map(([, name = '']) => ({
    name,
    in: 'path' as const,
    required: true,
    ...(doc.params?.[name] ? { description: doc.params[name] } : {}),
    schema: { type: 'string' },
  }));
}

function queryParameters(doc: RouteDoc, schema: JsonSchema | undefined): NonNullable<OpenApiOperation['parameters']> {
  if (!doc.query || !schema) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query' as const,
      required: required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

/** One error response per status, listing the codes the route may answer with it. */
function errorResponses(codes: ProblemCode[]): Record<string, OpenApiResponse> {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) byStatus.set(statusOf(code), [...(byStatus.get(statusOf(code)) ?? []), code]);
  const responses: Record<string, OpenApiResponse> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, { $ref: string }> = {};
    if (list.some((code) => 'retryable' in PROBLEMS[code])) headers['Retry-After'] = ref('headers', 'RetryAfter');
    if (list.includes('unauthorized')) headers['WWW-Authenticate'] = ref('headers', 'WwwAuthenticate');
    responses[String(status)] = {
      description: list.map((code) => `\`${code}\`: ${docOf(code)}.`).join('\n\n'),
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              ref('schemas', 'Problem'),
              {
                type: 'object',
                properties: { status: { type: 'integer', const: status }, code: { type: 'string', enum: list } },
                required: ['status', 'code'],
              },
            ],
          },
        },
      },
      'x-codes': list,
    };
  }
  return responses;
}

function successResponses(doc: RouteDoc, schemaFor: (s: z.ZodMiniType) => JsonSchema): Record<string, OpenApiResponse> {
  const responses: Record<string, OpenApiResponse> = {};
  for (const success of successList(doc)) {
    responses[String(success.status)] = {
      description: success.description,
      ...(success.body === 'none' ? {} : { content: { 'application/json': { schema: schemaFor(success.body) } } }),
    };
  }
  return responses;
}

/** A `kind: "oauth2"` route (`POST /oauth2/token`): a form body, RFC 6749 answers. */
function oauth2Operation(route: RouteDefinition, doc: RouteDoc, schemaFor: (s: z.ZodMiniType) => JsonSchema): OpenApiOperation {
  const error = (description: string): OpenApiResponse => ({ description, content: { 'application/json': { schema: ref('schemas', 'OAuth2Error') } } });
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [route.function],
    // A form body: typed apart from the JSON bodies every other operation has.
    ...(doc.form
      ? {
          requestBody: {
            required: true,
            content: { 'application/x-www-form-urlencoded': { schema: schemaFor(doc.form) } },
          } as unknown as OpenApiOperation['requestBody'],
        }
      : {}),
    responses: {
      ...successResponses(doc, schemaFor),
      '400': error('`invalid_request`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type` (RFC 6749 §5.2).'),
      '401': error('`invalid_client`; with `WWW-Authenticate: Basic` where HTTP Basic was used.'),
      '503': error('`temporarily_unavailable`: try again.'),
    },
    'x-latch-auth': route.auth,
  };
}

function operation(route: RouteDefinition, doc: RouteDoc, schemaFor: (s: z.ZodMiniType) => JsonSchema): OpenApiOperation {
  if (route.kind === 'oauth2') return oauth2Operation(route, doc, schemaFor);
  const parameters = [...pathParameters(route, doc), ...queryParameters(doc, doc.query && schemaFor(doc.query))];
  let requestBody: OpenApiOperation['requestBody'];
  if (doc.request) {
    const schema = schemaFor(doc.request);
    // The enforced schema has every field optional (a missing field is the flow's 422, not a
    // 400); `required` tells clients which fields the flow insists on.
    if (doc.required && doc.required.length > 0) schema.required = [...doc.required];
    requestBody = { required: true, content: { 'application/json': { schema } } };
  }
  const auth = route.auth === 'admin' ? ' Requires the role `admin`.' : '';
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description || auth ? { description: `${doc.description ?? ''}${auth}`.trim() } : {}),
    tags: [route.function],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    ...(route.auth === 'none' ? {} : route.auth === 'optional' ? { security: [{}, { bearerAuth: [] }] } : { security: [{ bearerAuth: [] }] }),
    responses: { ...successResponses(doc, schemaFor), ...errorResponses(routeCodes(route, doc)) },
    'x-latch-auth': route.auth,
  };
}

const DESCRIPTION = `Latch: user authentication and management (registration, sessions, password reset, email
confirmation, invitations, admin), served by API Gateway and Lambda.

- JSON in and out. Every error is RFC 9457 problem details (\`application/problem+json\`) with a
  stable \`code\` to switch on (\`Problem\`); each error response lists the codes it may carry
  (also in \`x-codes\`).
- Checks run in this order: route and method (\`404 not_found\`, \`405 method_not_allowed\` for
  any unknown path or method, not repeated on each operation), body size, media type and syntax (413, 415,
  400), authentication or the path token (401, 404 \`invalid_token\`), then field rules (422). A
  request refused with any 4xx changes nothing.
- Request bodies: every field is type-checked (a wrong JSON type is 400); fields marked
  required are checked by the flow (missing, empty or \`null\` is 422).
- Authenticated routes take \`Authorization: Bearer <accessToken>\` (from sign-in or renewal).`;

/**
 * Generates the OpenAPI 3.1 document of the API from the route table (`shared/http/routes.ts`) and
 * the route documentation (`shared/http/route-docs.ts`), whose request schemas are the ones
 * `httpFunction` enforces, so the document cannot drift from what the handlers accept.
 */
export function buildOpenApi(config: Pick<Config, 'issuer' | 'requireEmailConfirmation'>): OpenApiDocument {
  // Hosted-UI pages answer HTML, not this API's JSON: they stay out of the document (§2).
  const docs = (routes as readonly RouteDefinition[])
    .filter((route) => route.kind !== 'page')
    .map((route) => {
      const doc = routeDocOf(routeKey(route));
      if (!doc) throw new Error(`no documentation for ${routeKey(route)}`); // the compiler forbids it
      return { route, doc };
    });
  return documentOf(docs, config);
}

/** The document for any list of documented routes (`buildOpenApi` passes the route table). */
export function documentOf(
  docs: Array<{ route: RouteDefinition; doc: RouteDoc }>,
  config: Pick<Config, 'issuer' | 'requireEmailConfirmation'>,
): OpenApiDocument {
  const { components, schemaFor } = jsonSchemas(docs);
  const paths: OpenApiDocument['paths'] = {};
  for (const { route, doc } of docs) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = operation(route, doc, schemaFor);
    paths[route.path] = item;
  }
  const registration = config.requireEmailConfirmation
    ? 'This deployment requires email confirmation: `POST /registration` answers `202`.'
    : 'This deployment does not require email confirmation: `POST /registration` answers `201` with a token pair.';
  return {
    openapi: '3.1.0',
    info: { title: 'Latch auth API', version: API_VERSION, description: `${DESCRIPTION}\n\n${registration}` },
    servers: [{ url: config.issuer }],
    tags: [...new Set(docs.map(({ route }) => route.function))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      responses: {
        NotFound: {
          description: `\`not_found\`: ${docOf('not_found')} (any unknown path).`,
          content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
          'x-codes': ['not_found'],
        },
        MethodNotAllowed: {
          description: `\`method_not_allowed\`: ${docOf('method_not_allowed')}.`,
          content: { 'application/problem+json': { schema: ref('schemas', 'Problem') } },
          'x-codes': ['method_not_allowed'],
        },
      },
      headers: {
        RetryAfter: { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } },
        WwwAuthenticate: { description: '`Bearer`.', schema: { type: 'string' } },
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The `accessToken` of a token pair.' },
      },
    },
  };
}

const built = new WeakMap<object, OpenApiDocument>();

/** The document for a configuration, built once per container (it depends only on the config). */
export function openApiFor(config: Config): OpenApiDocument {
  let document = built.get(config);
  if (!document) {
    document = buildOpenApi(config);
    built.set(config, document);
  }
  return document;
}
