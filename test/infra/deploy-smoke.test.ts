/**
 * Template-driven deploy smoke test (issue 18 item 6, first version), no AWS account: synthesize
 * the stack with bundling, create the tables on DynamoDB Local from the template's own
 * properties, run each function's real bundle from `cdk.out` in a process of its own with the
 * environment the template gives it (references resolved to local names, `/var/task/` to the
 * asset folder), and walk the main flows through the route table of the template. Every AWS call
 * goes to one local endpoint (`AWS_ENDPOINT_URL`) that knows the caller by its access key id (the
 * function's logical id), checks the call against the IAM policy the template attaches to that
 * function's role, and only then forwards it to DynamoDB Local or the local SES, or answers it as
 * Secrets Manager with local key values. A call the policy does not allow fails the test.
 *
 * Limits of this first version: policy conditions are not evaluated (a statement with a
 * condition counts as allowing); the walk covers registration, sign-in, /me, the authorizer,
 * renewal, a password-reset mail through the mail sender, and sign-out, not every flow.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, ScanCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { CfnElement } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';
import { generateStoredKey, publicJwksOf } from '../../shared/adapters/crypto/key-ring.js';
import { bounceEvent, snsEventOf } from '../support/ses-notifications.js';
import { type Synthesized, synthLatch } from './synth.js';
import { actionsOf, resourcesOf, roleOf, routeTargets, type Statement, statementsOfRole } from './template.js';

const REGION = 'us-east-1';
const ACCOUNT = '111111111111';
const API_ENDPOINT = `https://smokeapi.execute-api.${REGION}.amazonaws.com`;
const run = randomBytes(3).toString('hex');

let s: Synthesized;
let server: Server;
let endpoint: string;
const workers = new Map<string, Worker>();
const violations: string[] = [];
const calls: string[] = [];
/** Errors DynamoDB Local answered (condition failures are expected in some flows; shown on a failure). */
const refusals: string[] = [];
const dynamo = new DynamoDBClient({
  endpoint: process.env.LATCH_TEST_DYNAMODB_ENDPOINT,
  region: REGION,
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});

/** Local names and ARNs the template's references resolve to. */
const tableNames = new Map<string, string>();
const secretValues = new Map<string, string>();
const tableArn = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
const secretArn = (logicalId: string) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${logicalId}-AbCdEf`;

/** A template value with its intrinsic functions resolved against the local stand-ins. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (!value || typeof value !== 'object') return value;
  const [key, arg] = Object.entries(value)[0] ?? [];
  if (key === 'Ref') return ref(String(arg));
  if (key === 'Fn::GetAtt') {
    const [id, attr] = (Array.isArray(arg) ? arg : String(arg).split('.')) as [string, string];
    return getAtt(id, attr);
  }
  if (key === 'Fn::Join') {
    const [sep, parts] = arg as [string, unknown[]];
    return (resolve(parts) as unknown[]).join(sep);
  }
  if (key === 'Fn::Select') {
    const [index, list] = arg as [number, unknown];
    return (resolve(list) as unknown[])[Number(index)];
  }
  if (key === 'Fn::Split') {
    const [sep, text] = arg as [string, unknown];
    return String(resolve(text)).split(sep);
  }
  if (key === 'Fn::Sub') {
    const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, unknown>];
    return text.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
      name in vars ? String(resolve(vars[name])) : name.includes('.') ? String(getAtt(...(name.split('.') as [string, string]))) : String(ref(name)),
    );
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
}

function ref(id: string): unknown {
  const pseudo: Record<string, string> = {
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'Latch',
  };
  if (id in pseudo) return pseudo[id];
  const type = s.json.Resources[id]?.Type;
  if (type === 'AWS::DynamoDB::Table') return tableNames.get(id);
  if (type === 'AWS::SecretsManager::Secret') return secretArn(id);
  if (type === 'AWS::ApiGatewayV2::Api') return 'smokeapi';
  return `ref-${id}`;
}

function getAtt(id: string, attr: string): unknown {
  const type = s.json.Resources[id]?.Type;
  if (type === 'AWS::DynamoDB::Table' && attr === 'Arn') return tableArn(tableNames.get(id) ?? id);
  if (type === 'AWS::DynamoDB::Table' && attr === 'StreamArn') return `${tableArn(tableNames.get(id) ?? id)}/stream/smoke`;
  if (type === 'AWS::ApiGatewayV2::Api' && attr === 'ApiEndpoint') return API_ENDPOINT;
  if (type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
  return `${id}.${attr}`;
}

/** `*` and `?` of an IAM pattern as a regular expression. */
function iamPattern(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
}

/** Whether the function's role allows `action` on `resource` (conditions not evaluated). */
function allowed(functionId: string, action: string, resource: string): boolean {
  const statements = statementsOfRole(s.json, roleOf(s.json, functionId)).map((st) => ({ ...st, Resource: resolve(st.Resource) }) as Statement);
  const matches = (st: Statement) =>
    actionsOf(st).some((a) => iamPattern(a).test(action)) && resourcesOf(st).some((r) => typeof r === 'string' && iamPattern(r).test(resource));
  return statements.some((st) => st.Effect === 'Allow' && matches(st)) && !statements.some((st) => st.Effect === 'Deny' && matches(st));
}

/** The IAM (action, resource) pairs of one DynamoDB API call. */
function dynamoRequests(operation: string, body: Record<string, unknown>): Array<[string, string]> {
  const arnOf = (table: unknown, index?: unknown) => `${tableArn(String(table))}${index ? `/index/${String(index)}` : ''}`;
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const kinds: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
    return (body.TransactItems as Array<Record<string, { TableName: string }>>).flatMap((item) =>
      Object.entries(item).map(([kind, inner]) => [`dynamodb:${kinds[kind] ?? kind}`, arnOf(inner.TableName)] as [string, string]),
    );
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    return Object.keys(body.RequestItems as object).map((table) => [`dynamodb:${operation}`, arnOf(table)]);
  }
  return [[`dynamodb:${operation}`, arnOf(body.TableName, body.IndexName)]];
}

/** The request's headers for the real local service (without hop-by-hop ones). */
function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers)
      .filter(([name]) => !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name))
      .map(([name, value]) => [name, String(value)]),
  );
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The local AWS endpoint: checks each call against the caller's policy, then serves or forwards it. */
function startFakeAws(): Promise<void> {
  server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const credential = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(req.headers.authorization ?? '');
      const [, functionId = '?', service = '?'] = credential ?? [];
      const deny = (action: string, resource: string, type: string) => {
        violations.push(`${functionId}: ${action} on ${resource}`);
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: type, message: `not allowed: ${action}` }));
      };
      if (service === 'dynamodb') {
        const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        for (const [action, resource] of dynamoRequests(operation, JSON.parse(body) as Record<string, unknown>)) {
          calls.push(`${functionId} ${action}`);
          if (!allowed(functionId, action, resource)) return deny(action, resource, 'com.amazonaws.dynamodb.v20120810#AccessDeniedException');
        }
        const forwarded = await fetch(String(process.env.LATCH_TEST_DYNAMODB_ENDPOINT), {
          method: 'POST',
          headers: {
            ...forwardedHeaders(req),
            // DynamoDB Local keeps one database per access key: the one the tables were created with.
            authorization: String(req.headers.authorization).replace(/Credential=[^/]+\//, 'Credential=x/'),
          },
          body,
        });
        const answer = await forwarded.text();
        if (forwarded.status !== 200) refusals.push(`${functionId} ${operation}: ${answer.slice(0, 300)} ${body.slice(0, 300)}`);
        res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/x-amz-json-1.0' }).end(answer);
        return;
      }
      if (service === 'secretsmanager') {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        calls.push(`${functionId} secretsmanager:GetSecretValue`);
        if (!allowed(functionId, 'secretsmanager:GetSecretValue', SecretId)) return deny('secretsmanager:GetSecretValue', SecretId, 'AccessDeniedException');
        const value = secretValues.get(SecretId);
        if (value === undefined) return deny('secretsmanager:GetSecretValue (unknown secret)', SecretId, 'ResourceNotFoundException');
        res
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.1' })
          .end(JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: value, VersionId: 'v1' }));
        return;
      }
      if (service === 'ses') {
        const form = new URLSearchParams(body);
        const action = `ses:${form.get('Action')}`;
        const identity = `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${(form.get('Source') ?? '').split('@').pop()}`;
        calls.push(`${functionId} ${action}`);
        if (!allowed(functionId, action, identity)) return deny(action, identity, 'AccessDenied');
        const forwarded = await fetch(String(process.env.LATCH_TEST_SES_URL), {
          method: 'POST',
          headers: forwardedHeaders(req),
          body,
        });
        res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'text/xml' }).end(await forwarded.text());
        return;
      }
      violations.push(`${functionId}: call to an unexpected service ${service}`);
      res.writeHead(400).end();
    })().catch((error: unknown) => {
      violations.push(`fake AWS failed: ${String(error)}`);
      res.writeHead(500).end();
    });
  });
  return new Promise((ready) =>
    server.listen(0, '127.0.0.1', () => {
      endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      ready();
    }),
  );
}

/** A function's bundle running in a process of its own, invoked over IPC. */
interface Worker {
  invoke(event: unknown): Promise<Record<string, unknown>>;
  child: ChildProcess;
}

const WORKER = `
const { handler } = await import(process.env.SMOKE_BUNDLE);
const context = { awsRequestId: 'smoke', functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, getRemainingTimeInMillis: () => 10000 };
process.on('message', async ({ id, event }) => {
  try { process.send({ id, result: await handler(event, context) }); }
  catch (error) { process.send({ id, error: String(error && error.stack || error) }); }
});
process.send({ ready: true });
`;

function assetDir(functionId: string): string {
  const key = (s.json.Resources[functionId]?.Properties?.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
  return path.join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

async function workerFor(functionId: string): Promise<Worker> {
  const existing = workers.get(functionId);
  if (existing) return existing;
  const dir = assetDir(functionId);
  const variables = resolve((s.json.Resources[functionId]?.Properties?.Environment as { Variables?: object } | undefined)?.Variables ?? {}) as Record<
    string,
    string
  >;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    ...Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, v.startsWith('/var/task/') ? path.join(dir, v.slice('/var/task/'.length)) : v])),
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: functionId,
    AWS_SECRET_ACCESS_KEY: 'smoke',
    AWS_ENDPOINT_URL: endpoint,
    AWS_LAMBDA_FUNCTION_NAME: functionId,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    SMOKE_BUNDLE: path.join(dir, 'index.mjs'),
  };
  const workerFile = path.join(s.outdir, 'smoke-worker.mjs');
  if (!existsSync(workerFile)) writeFileSync(workerFile, WORKER);
  const child = fork(workerFile, [], { env, execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (r: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let next = 0;
  await new Promise<void>((ready, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`${functionId}'s bundle exited with ${code} before it loaded`)));
    child.on('message', (message: { ready?: boolean; id?: number; result?: Record<string, unknown>; error?: string }) => {
      if (message.ready) return ready();
      const waiting = pending.get(message.id ?? -1);
      pending.delete(message.id ?? -1);
      if (message.error) waiting?.reject(new Error(`${functionId}: ${message.error}`));
      else waiting?.resolve(message.result ?? {});
    });
  });
  child.removeAllListeners('exit');
  const worker: Worker = {
    child,
    invoke: (event) =>
      new Promise((resolveInvoke, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolveInvoke, reject });
        child.send({ id, event });
      }),
  };
  workers.set(functionId, worker);
  return worker;
}

/** Calls a route of the template's HTTP API: its function's bundle with an API Gateway v2 event. */
async function call(
  method: string,
  rawPath: string,
  options: { body?: unknown; token?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const targets = routeTargets(s.json);
  const routeKey = [...targets.keys()].find((key) => {
    const [m, p] = key.split(' ');
    return m === method && p !== undefined && new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(rawPath);
  });
  assert.ok(routeKey, `the template routes ${method} ${rawPath}`);
  const [, routePath = ''] = routeKey.split(' ');
  const names = [...routePath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const values = new RegExp(`^${routePath.replace(/\{[^}]+\}/g, '([^/]+)')}$`).exec(rawPath)?.slice(1) ?? [];
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'smoke' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const worker = await workerFor(targets.get(routeKey) ?? '');
  const result = await worker.invoke({
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers,
    pathParameters: Object.fromEntries(names.map((n, i) => [n, values[i]])),
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    isBase64Encoded: false,
    requestContext: {
      http: { method, path: rawPath, sourceIp: '203.0.113.7', userAgent: 'smoke' },
      requestId: `smoke-${Date.now()}`,
      routeKey,
      stage: '$default',
    },
  });
  const text = String(result.body ?? '');
  return { status: Number(result.statusCode), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function logicalIdOf(element: unknown): string {
  return s.stack.getLogicalId(element as CfnElement);
}

before(async () => {
  // x86_64: the bundles' argon2 must load on this machine. Sign-in without a mailed link first.
  s = synthLatch({ bundle: true, context: { architecture: 'x86_64', requireEmailConfirmation: 'false' } });
  const shim = path.join(s.outdir, 'node_modules');
  // Lambda's runtime provides @aws-sdk/*; the project's node_modules stand in for it.
  if (!existsSync(shim)) symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), shim, 'dir');

  for (const [id, table] of Object.entries(s.json.Resources).filter(([, r]) => r.Type === 'AWS::DynamoDB::Table')) {
    const name = `smoke-${run}-${id}`;
    tableNames.set(id, name);
    const p = table.Properties as Record<string, unknown>;
    await dynamo.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: p.KeySchema as never,
        AttributeDefinitions: p.AttributeDefinitions as never,
        GlobalSecondaryIndexes: p.GlobalSecondaryIndexes as never,
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: p.StreamSpecification ? { StreamEnabled: true, ...(p.StreamSpecification as object) } : undefined,
      }),
    );
    const ttl = p.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
    if (ttl) await dynamo.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: ttl }));
  }

  // What the key generator writes at deploy time, here local values.
  const stored = await generateStoredKey('smoke');
  const latch = s.stack.latch;
  secretValues.set(secretArn(logicalIdOf(latch.signingKeys.privateSecret.node.defaultChild)), JSON.stringify({ keys: [stored] }));
  secretValues.set(secretArn(logicalIdOf(latch.signingKeys.publicSecret.node.defaultChild)), JSON.stringify(publicJwksOf([stored])));
  secretValues.set(secretArn(logicalIdOf(latch.auditKeySecret.node.defaultChild)), randomBytes(32).toString('base64url'));
  await startFakeAws();
});

after(() => {
  for (const worker of workers.values()) worker.child.kill();
  server?.close();
});

test('the template deploys as it would run: every bundle with its template environment walks the main flows, each AWS call within its policy', async () => {
  const email = `smoke-${run}@acme.test`;
  const password = 'correct horse battery staple';
  const fn = (name: string) => s.functionLogicalId(name);

  const registered = await call('POST', '/registration', { body: { email, password } });
  assert.equal(registered.status, 201, JSON.stringify({ body: registered.body, violations, refusals }));

  const signedIn = await call('POST', '/session', { body: { email, password } });
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  const accessToken = String(signedIn.body.accessToken);
  const renewalToken = String(signedIn.body.renewalToken);

  const me = await call('GET', '/me', { token: accessToken });
  assert.equal(me.status, 200, JSON.stringify(me.body));

  const authorizer = await workerFor(fn('authorizer'));
  const decision = (await authorizer.invoke({
    type: 'TOKEN',
    authorizationToken: `Bearer ${accessToken}`,
    methodArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:orders/$default/GET/orders`,
  })) as { policyDocument?: { Statement?: Array<{ Effect?: string }> } };
  assert.equal(decision.policyDocument?.Statement?.[0]?.Effect, 'Allow', JSON.stringify(decision));

  const renewed = await call('POST', '/session/renew', { body: { renewalToken } });
  assert.equal(renewed.status, 200, JSON.stringify(renewed.body));

  // A mail: the request function writes it to the outbox; the sender gets it from the stream.
  const reset = await call('POST', '/password-reset', { body: { email } });
  assert.equal(reset.status, 202, JSON.stringify(reset.body));
  const tableName = tableNames.get(logicalIdOf(s.stack.latch.table.node.defaultChild)) ?? '';
  const outbox = (await dynamo.send(new ScanCommand({ TableName: tableName }))).Items?.filter((item) => item.pk?.S?.startsWith('OUTBOX#')) ?? [];
  assert.ok(outbox.length >= 1, 'the reset mail is in the outbox');
  const sender = await workerFor(fn('mail-sender'));
  const sent = (await sender.invoke({
    Records: outbox.map((item, i) => ({
      eventID: `smoke-${i}`,
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      eventSourceARN: `${tableArn(tableName)}/stream/smoke`,
      dynamodb: { Keys: { pk: item.pk, sk: item.sk }, NewImage: item, SequenceNumber: String(i + 1), StreamViewType: 'NEW_IMAGE' },
    })),
  })) as { batchItemFailures?: unknown[] };
  assert.deepEqual(sent.batchItemFailures ?? [], [], 'every outbox mail sent');
  assert.ok(
    calls.some((c) => c === `${fn('mail-sender')} ses:SendEmail`),
    'the mail sender called SES',
  );

  // SES feedback: the configuration set's bounce event through SNS marks the address (a put on
  // its UNDELIVERABLE# key), and the sender then reads that mark before the next mail.
  const feedback = await workerFor(fn('ses-feedback'));
  await feedback.invoke(snsEventOf(bounceEvent([email])));
  assert.ok(
    calls.some((c) => c === `${fn('ses-feedback')} dynamodb:PutItem`),
    'the feedback function marked the address',
  );
  assert.ok(
    calls.some((c) => c === `${fn('mail-sender')} dynamodb:GetItem`),
    'the mail sender read the address mark',
  );

  const signedOut = await call('DELETE', '/session', { token: String(renewed.body.accessToken ?? accessToken) });
  assert.ok([200, 204].includes(signedOut.status), JSON.stringify(signedOut.body));

  assert.deepEqual(violations, [], 'every AWS call is allowed by the calling function’s policy');
  // The walk reached the store, the key secrets and SES through the policies.
  for (const needed of ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:Query', 'secretsmanager:GetSecretValue', 'ses:SendEmail']) {
    assert.ok(
      calls.some((c) => c.endsWith(` ${needed}`)),
      `${needed} was called`,
    );
  }
  // And the check refuses what a policy does not grant: a missing grant would have failed the walk.
  const userTable = tableArn(tableName);
  assert.equal(allowed(fn('authorizer'), 'dynamodb:PutItem', userTable), false);
  assert.equal(allowed(fn('registration'), 'ses:SendEmail', `arn:aws:ses:${REGION}:${ACCOUNT}:identity/example.com`), false);
  assert.equal(
    allowed(fn('well-known'), 'secretsmanager:GetSecretValue', secretArn(logicalIdOf(s.stack.latch.signingKeys.privateSecret.node.defaultChild))),
    false,
  );
  console.log(`smoke: ${calls.length} AWS calls checked against the template's policies, ${workers.size} bundles run`);
});
