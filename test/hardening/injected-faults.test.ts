/**
 * Injected faults: every flow runs in process through its real handler, on a real
 * `DynamoDbStore` over DynamoDB Local and a real `SesMailer` over local SES, whose SDK clients
 * carry the fault middleware of test/support/faults.ts. For each flow, each of its calls k and
 * each fault (throttle, time-out, 5xx), twice: failing once (the SDK retries and recovers) and
 * failing on every attempt (the SDK gives up). The fault matrix is printed at the end.
 *
 * Properties:
 * - failing once: the answer is the clean answer, after a retry (attempts = 2);
 * - failing always: `503 service_unavailable` with `Retry-After` after the SDK's own retries
 *   (attempts = maxAttempts), or the contract's enumeration-safe answer where a mail fails
 *   (resend, password reset request: 202 whatever the email); the authorizer denies and never
 *   throws; a best-effort call after the flow's commit (`bestEffortAfterCommit`) answers the clean
 *   answer, since the effect is done and a 503 would send the client back with a spent link;
 * - no partial write: the table is exactly as before, unless the fault hit a call after the
 *   flow's transaction (registration and resend commit the user/token, then mail: documented in
 *   docs/hardening.md, "asking again sends a new mail"); claims, users, sessions and tokens stay
 *   consistent either way;
 * - the same request sent again once the fault clears succeeds.
 *
 * The writing routes (but the admin's create and update) have a dedicated fixture below. Routes
 * of `shared/http/routes.ts` without one get a generic one (a fresh signed-in user, an empty object
 * body), so new routes are in the matrix from day one.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { ensureTable } from '../../infra/local/services.js';
import { commonPasswordsFile, lazyCommonPasswords } from '../../shared/adapters/breached-passwords/common.js';
import { breachedPasswordsFile, lazyBreachedPasswords } from '../../shared/adapters/breached-passwords/file.js';
import { AesGcmDataKeys, generateDataKeyRing, parseDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { generateStoredKey, StaticKeyRing } from '../../shared/adapters/crypto/key-ring.js';
import { DynamoDbAuditLog } from '../../shared/adapters/dynamodb/audit-log.js';
import { auditTableNameOf } from '../../shared/adapters/dynamodb/audit-table.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE } from '../../shared/adapters/jwt/aws-jwt-verify-signature.js';
import { SesMailer } from '../../shared/adapters/ses/mailer.js';
import { loadConfig } from '../../shared/config.js';
import type { Deps } from '../../shared/flows/deps.js';
import { sendOutboxMail } from '../../shared/flows/mail-sender.js';
import { newUser } from '../../shared/flows/registration.js';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { defaultTemplates } from '../../shared/mail/templates.js';
import type { Mailer } from '../../shared/ports/services.js';
import type { OutboxMail } from '../../shared/ports/store.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';
import { arm, disarm, FAULTS, type FaultMode, injectFaults, newPlan } from '../support/faults.js';
import { type EventInput, FastFakeHasher, type Handler, lambdaContext, loadFunctions, routeEvent } from '../support/hardening.js';
import { CapturingLog } from '../support/memory.js';
import { testServices, uniqueEmail, uniqueTableName } from '../support/services.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another horse battery staple';
/** As in production (`createDocumentClient`): 3 attempts. Backoff shortened to keep the matrix quick. */
const DYNAMODB_ATTEMPTS = 3;
/** As in production (`SesMailer`): 2 attempts, the SDK's default backoff. */
const SES_ATTEMPTS = 2;

const plan = newPlan();
let deps: Deps;
let tableName: string;
let raw: DynamoDBClient;
let byFunction: Map<string, Handler>;
let authorize: (event: unknown) => Promise<{ isAuthorized?: boolean }>;

/** A store and counters whose client carries the fault middleware; a fresh one per case (fresh retry quota). */
function faultyStore(): { store: DynamoDbStore; counters: DynamoDbCounters; auditLog: DynamoDbAuditLog } {
  const { dynamoDbEndpoint } = testServices();
  const client = new DynamoDBClient({
    endpoint: dynamoDbEndpoint,
    maxAttempts: DYNAMODB_ATTEMPTS,
    retryStrategy: new ConfiguredRetryStrategy(DYNAMODB_ATTEMPTS, (attempt: number) => 5 * 2 ** attempt),
  });
  injectFaults(client, 'dynamodb', plan);
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return {
    store: new DynamoDbStore(documents, tableName),
    counters: new DynamoDbCounters(documents, tableName),
    auditLog: new DynamoDbAuditLog(documents, auditTableNameOf(tableName)),
  };
}

/** The last link token delivered to each address (confirmation: by address; reset, invitation: `kind address`) (read here rather than from SES's store, for speed). */
const delivered = new Map<string, string>();

async function faultyMailer(): Promise<Mailer> {
  const mailer = new SesMailer('no-reply@latch.local', { endpoint: testServices().sesUrl });
  // The SES client is created lazily inside the adapter; reach it to attach the middleware.
  const { client } = await (mailer as unknown as { load(): Promise<{ client: SESClient }> }).load();
  injectFaults(client, 'ses', plan);
  return {
    async send(message) {
      await mailer.send(message);
      for (const kind of ['confirm-email', 'reset-password', 'invitation']) {
        const token = new RegExp(`/${kind}/([A-Za-z0-9._~-]+)`).exec(message.text)?.[1];
        if (token) delivered.set(kind === 'confirm-email' ? message.to : `${kind} ${message.to}`, token);
      }
    },
  };
}

/** The outbox mails waiting in the table, oldest first. */
async function outbox(): Promise<OutboxMail[]> {
  const mails: OutboxMail[] = [];
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await raw.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': { S: 'OUTBOX#' } },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) mails.push(unmarshall(item) as OutboxMail);
    start = page.LastEvaluatedKey;
  } while (start);
  return mails.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The mail sender's work, with faults off (fixtures): every waiting mail delivered, its item deleted. */
async function drainOutbox(): Promise<void> {
  for (const mail of await outbox())
    await sendOutboxMail({ store: faultyStore().store, mailer: deps.mailer, log: deps.log, templates: defaultTemplates }, mail);
}

before(async () => {
  const { dynamoDbEndpoint } = testServices();
  tableName = uniqueTableName('faults');
  await ensureTable(dynamoDbEndpoint, tableName);
  raw = new DynamoDBClient({ endpoint: dynamoDbEndpoint });
  deps = {
    // Every request comes from one address: the generic fixtures' refused step-up and passkey attempts
    // count against it, so the address lockout is set out of reach (no flow here is about lockouts).
    config: loadConfig({ AUTH_ISSUER: 'https://auth.test', APP_URL: 'https://app.test', AUTH_MAX_FAILED_SIGN_INS: '1000' }),
    ...faultyStore(),
    hasher: new FastFakeHasher(),
    auditKey: { key: async () => new Uint8Array(32).fill(1) },
    dataKeys: new AesGcmDataKeys(async () => parseDataKeyRing(generateDataKeyRing(), 'test data keys')),
    keys: new StaticKeyRing([await generateStoredKey('faults-1')]),
    accessTokenSignature: AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE,
    mailer: await faultyMailer(),
    templates: defaultTemplates,
    breached: lazyBreachedPasswords(breachedPasswordsFile({})),
    commonPasswords: lazyCommonPasswords(commonPasswordsFile({})),
    clock: { now: () => Date.now() },
    log: new CapturingLog(),
  };
  useDeps(deps);
  ({ byFunction } = await loadFunctions());
  ({ handler: authorize } = (await import('../../functions/authorizer.js')) as { handler: typeof authorize });
});

after(() => raw.destroy());

// ---------------------------------------------------------------------------------------------
// Requests and fixtures (prepared with faults off)
// ---------------------------------------------------------------------------------------------

type Request = { route: RouteDefinition; input: EventInput } | { authorizer: string };
interface Answer {
  status: number;
  code?: string;
  retryAfter?: string | undefined;
}

function route(key: string): RouteDefinition {
  const found = (routes as readonly RouteDefinition[]).find((r) => routeKey(r) === key);
  if (!found) throw new Error(`no route ${key}`);
  return found;
}

async function send(request: Request): Promise<Answer> {
  if ('authorizer' in request) {
    const decision = await authorize({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc/$default/GET/x',
      identitySource: [`Bearer ${request.authorizer}`],
      headers: { authorization: `Bearer ${request.authorizer}` },
    });
    return { status: decision.isAuthorized ? 200 : 403 };
  }
  const handler = byFunction.get(request.route.function);
  if (!handler) throw new Error(`no handler for ${request.route.function}`);
  const response = await handler(routeEvent(request.route, request.input), lambdaContext(request.route.function));
  const headers = (response.headers ?? {}) as Record<string, string>;
  let code: string | undefined;
  try {
    code = (JSON.parse(response.body ?? '') as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: response.statusCode ?? 200, code, retryAfter: headers['retry-after'] };
}

const post = (key: string, body: unknown, token?: string): Request => ({
  route: route(key),
  input: { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } },
});

async function registered(): Promise<{ email: string; token: string }> {
  const email = uniqueEmail('fault');
  const answer = await send(post('POST /registration', { email, password: PASSWORD }));
  await drainOutbox();
  assert.equal(answer.status, 202);
  const token = delivered.get(email);
  assert.ok(token, 'no confirmation link delivered');
  return { email, token };
}

async function signIn(email: string): Promise<{ accessToken: string; renewalToken: string }> {
  const handler = byFunction.get('session') as Handler;
  const response = await handler(routeEvent(route('POST /session'), { body: JSON.stringify({ email, password: PASSWORD }) }), lambdaContext());
  assert.equal(response.statusCode, 200);
  return JSON.parse(response.body ?? '{}') as { accessToken: string; renewalToken: string };
}

async function signedIn(): Promise<{ email: string; accessToken: string; renewalToken: string }> {
  const { email, token } = await registered();
  assert.equal((await send({ route: route('POST /email-confirmation/{token}'), input: { params: { token } } })).status, 200);
  return { email, ...(await signIn(email)) };
}

/** The request with the path parameter `token` set. */
function withToken(request: Request, token: string): Request {
  if ('authorizer' in request) return request;
  return { ...request, input: { ...request.input, params: { token } } };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const withJson = (token: string) => ({ 'content-type': 'application/json', ...bearer(token) });

/** A signed-in user with a second session: the access token of the first, the id of the second. */
async function twoSessions(): Promise<{ accessToken: string; otherId: string }> {
  const { email, accessToken } = await signedIn();
  const other = await signIn(email);
  const handler = byFunction.get('sessions') as Handler;
  const response = await handler(routeEvent(route('GET /sessions'), { headers: bearer(other.accessToken) }), lambdaContext());
  assert.equal(response.statusCode, 200);
  const { sessions } = JSON.parse(response.body ?? '{}') as { sessions: Array<{ id: string; current: boolean }> };
  const otherId = sessions.find((s) => s.current)?.id;
  assert.ok(otherId, 'no current session listed');
  return { accessToken, otherId };
}

/** A reset token delivered to a fresh confirmed user. */
async function resetToken(): Promise<string> {
  const { email } = await signedIn();
  assert.equal((await send(post('POST /password-reset', { email }))).status, 202);
  await drainOutbox();
  const token = delivered.get(`reset-password ${email}`);
  assert.ok(token, 'no reset link delivered');
  return token;
}

/** A signed-in admin (created directly in the store) and a fresh confirmed user to act on. */
async function adminAndTarget(): Promise<{ accessToken: string; targetId: string; targetEmail: string }> {
  const admin = newUser(deps, { email: uniqueEmail('fault-admin'), passwordHash: await deps.hasher.hash(PASSWORD), role: 'admin', emailConfirmed: true });
  await deps.store.commit([{ type: 'createUser', user: admin }]);
  const { accessToken } = await signIn(admin.email);
  const target = newUser(deps, { email: uniqueEmail('fault-target'), passwordHash: await deps.hasher.hash(PASSWORD), emailConfirmed: true });
  await deps.store.commit([{ type: 'createUser', user: target }]);
  return { accessToken, targetId: target.id, targetEmail: target.email };
}

/** An invitation token delivered to a fresh address, sent by a signed-in confirmed user. */
async function invitationToken(): Promise<string> {
  const { accessToken } = await signedIn();
  const email = uniqueEmail('fault-invitee');
  assert.equal((await send(post('POST /invitations', { email }, accessToken))).status, 201);
  await drainOutbox();
  const token = delivered.get(`invitation ${email}`);
  assert.ok(token, 'no invitation link delivered');
  return token;
}

interface FlowCase {
  name: string;
  prepare(): Promise<Request>;
  /**
   * The contract's answer when a call made only for existing accounts keeps failing, where the
   * answer must not depend on the email (resend: 202 whatever the email).
   */
  enumerationSafe?: { status: number; calls: RegExp };
  /**
   * Best-effort writes after the flow's commit, whose failure is logged, not answered (the
   * effect is done; a 503 would make the client retry a spent token): the answer is the clean one.
   */
  bestEffortAfterCommit?: RegExp;
}

const flows: FlowCase[] = [
  { name: 'registration (new email)', prepare: async () => post('POST /registration', { email: uniqueEmail('fault-new'), password: PASSWORD }) },
  {
    name: 'registration (unconfirmed email taken)',
    prepare: async () => post('POST /registration', { email: (await registered()).email, password: PASSWORD }),
  },
  {
    name: 'confirm email',
    prepare: async () => ({ route: route('POST /email-confirmation/{token}'), input: { params: { token: (await registered()).token } } }),
  },
  {
    name: 'resend confirmation',
    prepare: async () => post('POST /email-confirmation/resend', { email: (await registered()).email }),
  },
  {
    name: 'sign-in',
    prepare: async () => post('POST /session', { email: (await signedIn()).email, password: PASSWORD }),
    // Clearing the email's counter after the session is committed: the slots run out on their own.
    bestEffortAfterCommit: /DeleteItemCommand \(counter\)$/,
  },
  { name: 'renew', prepare: async () => post('POST /session/renew', { renewalToken: (await signedIn()).renewalToken }) },
  {
    name: 'sign-out',
    prepare: async () => ({ route: route('DELETE /session'), input: { headers: { authorization: `Bearer ${(await signedIn()).accessToken}` } } }),
  },
  { name: 'GET /me', prepare: async () => ({ route: route('GET /me'), input: { headers: { authorization: `Bearer ${(await signedIn()).accessToken}` } } }) },
  { name: 'JWKS', prepare: async () => ({ route: route('GET /.well-known/jwks.json'), input: {} }) },
  { name: 'OpenID configuration', prepare: async () => ({ route: route('GET /.well-known/openid-configuration'), input: {} }) },
  { name: 'authorizer', prepare: async () => ({ authorizer: (await signedIn()).accessToken }) },
  // Known and unknown accounts make the same calls (the unknown one's transaction is refused), and
  // the mail leaves from the outbox: a fault answers the same for every email.
  { name: 'password reset request', prepare: async () => post('POST /password-reset', { email: (await signedIn()).email }) },
  {
    name: 'password reset (use)',
    prepare: async () => withToken(post('POST /password-reset/{token}', { password: NEW_PASSWORD }), await resetToken()),
    // Clearing the failed sign-in counter after the commit: the lockout runs out on its own.
    bestEffortAfterCommit: /DeleteItemCommand \(counter\)$/,
  },
  {
    name: 'PATCH /me (new password)',
    prepare: async () => ({
      route: route('PATCH /me'),
      input: { body: JSON.stringify({ currentPassword: PASSWORD, password: NEW_PASSWORD }), headers: withJson((await signedIn()).accessToken) },
    }),
    // Re-reading the user after the commit, for the answer: the record as written is answered.
    // (The user is read with its session-sequence item in one Query: `DynamoDbStore.getUser`.)
    bestEffortAfterCommit: /(GetItem|Query)Command$/,
  },
  {
    name: 'DELETE /me',
    prepare: async () => ({
      route: route('DELETE /me'),
      input: { body: JSON.stringify({ currentPassword: PASSWORD }), headers: withJson((await signedIn()).accessToken) },
    }),
  },
  { name: 'DELETE /sessions', prepare: async () => ({ route: route('DELETE /sessions'), input: { headers: bearer((await signedIn()).accessToken) } }) },
  {
    name: 'DELETE /sessions/{id} (another session)',
    prepare: async () => {
      const { accessToken, otherId } = await twoSessions();
      return { route: route('DELETE /sessions/{id}'), input: { params: { id: otherId }, headers: bearer(accessToken) } };
    },
  },
  { name: 'invite (fresh email)', prepare: async () => post('POST /invitations', { email: uniqueEmail('fault-invitee') }, (await signedIn()).accessToken) },
  {
    name: 'accept invitation',
    prepare: async () => withToken(post('POST /invitations/{token}', { password: PASSWORD }), await invitationToken()),
    // Clearing the failed sign-in counter after the commit, as for a reset.
    bestEffortAfterCommit: /DeleteItemCommand \(counter\)$/,
  },
  {
    // The role change writes the user and every live session of the target in one transaction.
    name: 'admin role change (target with a session)',
    prepare: async () => {
      const { accessToken, targetId, targetEmail } = await adminAndTarget();
      await signIn(targetEmail);
      return {
        route: route('PATCH /admin/users/{id}'),
        input: { params: { id: targetId }, body: JSON.stringify({ role: 'admin' }), headers: withJson(accessToken) },
      };
    },
  },
  ...(
    [
      ['admin lock', 'POST /admin/users/{id}/lock', undefined],
      ['admin unlock', 'POST /admin/users/{id}/unlock', undefined],
      ['admin set password', 'PUT /admin/users/{id}/password', { password: NEW_PASSWORD }],
      ['admin delete', 'DELETE /admin/users/{id}', undefined],
    ] as const
  ).map(([name, key, body]) => ({
    name,
    prepare: async (): Promise<Request> => {
      const { accessToken, targetId } = await adminAndTarget();
      if (key.endsWith('/unlock'))
        assert.equal(
          (await send({ route: route('POST /admin/users/{id}/lock'), input: { params: { id: targetId }, headers: bearer(accessToken) } })).status,
          200,
        );
      return {
        route: route(key),
        input: { params: { id: targetId }, ...(body ? { body: JSON.stringify(body) } : {}), headers: body ? withJson(accessToken) : bearer(accessToken) },
      };
    },
  })),
];

const covered = new Set([
  'POST /registration',
  'POST /email-confirmation/{token}',
  'POST /email-confirmation/resend',
  'POST /session',
  'POST /session/renew',
  'DELETE /session',
  'GET /me',
  'GET /.well-known/jwks.json',
  'GET /.well-known/openid-configuration',
  'POST /password-reset',
  'POST /password-reset/{token}',
  'PATCH /me',
  'DELETE /me',
  'DELETE /sessions',
  'DELETE /sessions/{id}',
  'POST /invitations',
  'POST /invitations/{token}',
  'PATCH /admin/users/{id}',
  'POST /admin/users/{id}/lock',
  'POST /admin/users/{id}/unlock',
  'PUT /admin/users/{id}/password',
  'DELETE /admin/users/{id}',
]);
for (const r of routes as readonly RouteDefinition[]) {
  if (covered.has(routeKey(r))) continue;
  // Generic fixture for routes added later: a fresh signed-in user and an empty object body.
  flows.push({
    name: `${routeKey(r)} (generic)`,
    prepare: async () => {
      const { accessToken } = await signedIn();
      const params = Object.fromEntries([...r.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => [m[1] as string, 'x']));
      return { route: r, input: { params, ...(r.body ? { body: '{}' } : {}), headers: { authorization: `Bearer ${accessToken}` } } };
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Table checks
// ---------------------------------------------------------------------------------------------

async function scan(): Promise<Map<string, string>> {
  const items = new Map<string, string>();
  let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await raw.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const value = unmarshall(item);
      items.set(`${value.pk}|${value.sk}`, JSON.stringify(value, Object.keys(value).sort()));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Claims and users point at each other; sessions and tokens belong to an existing user. */
function assertConsistent(items: Map<string, string>, label: string): void {
  const values = [...items.values()].map((v) => JSON.parse(v) as Record<string, string>);
  const profiles = new Map(values.filter((v) => v.sk === 'PROFILE').map((v) => [v.pk, v]));
  for (const v of values) {
    if (v.sk === 'CLAIM') {
      const user = profiles.get(`USER#${v.userId}`);
      assert.ok(user, `${label}: claim ${v.pk} without its user`);
      assert.equal(`EMAIL#${user.emailCanonical}`, v.pk, `${label}: claim and user disagree`);
    } else if (v.sk !== 'PROFILE' && String(v.pk).startsWith('USER#')) {
      assert.ok(profiles.has(v.pk), `${label}: ${v.sk} of a missing user`);
    }
  }
  for (const user of profiles.values()) assert.ok(items.has(`EMAIL#${user.emailCanonical}|CLAIM`), `${label}: user without its claim`);
}

/**
 * The items a request changed, failed-sign-in counters left out: an attempt reserves its slot in
 * a counter (a single-item write of its own, before the flow's transaction) whatever happens next.
 */
function diff(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()]))
    if (!key.startsWith('COUNTER#') && before.get(key) !== after.get(key)) changed.push(key.replace(/#[^|]+/g, '#…').replace('|', '/'));
  return changed;
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

const matrix: string[] = [];

test('injected DynamoDB and SES faults at every call of every flow: 503 with Retry-After (or the enumeration-safe answer), no partial write, and the next request succeeds', async (t) => {
  let cases = 0;
  for (const flow of flows) {
    // A clean run: its answer, and the calls it makes.
    Object.assign(deps, faultyStore());
    deps.mailer = await faultyMailer();
    const request = await flow.prepare();
    arm(plan);
    const clean = await send(request);
    const calls = [...plan.trace];
    disarm(plan);
    assert.ok(clean.status < 500, `${flow.name}: clean run answered ${clean.status}`);
    if (calls.length === 0) matrix.push(`| ${flow.name} | (no dependency call) | ${clean.status} | – | – | – |`);

    for (let k = 1; k <= calls.length; k++) {
      const call = calls[k - 1] as string;
      const service = call.startsWith('ses:') ? 'ses' : 'dynamodb';
      const cells: string[] = [];
      for (const fault of FAULTS) {
        const answers: string[] = [];
        for (const mode of ['once', 'always'] as FaultMode[]) {
          cases += 1;
          const label = `${flow.name}, call ${k} (${call}), ${fault} ${mode}`;
          Object.assign(deps, faultyStore());
          deps.mailer = await faultyMailer();
          const req = await flow.prepare();
          const before = await scan();
          arm(plan, k, fault, mode);
          let answer: Answer;
          try {
            answer = await send(req);
          } finally {
            disarm(plan);
          }
          const succeeded = [...plan.succeeded];
          const attempts = plan.attempts;
          const afterScan = await scan();
          assertConsistent(afterScan, label);
          if (mode === 'once') {
            assert.equal(attempts, 2, `${label}: the SDK did not retry once`);
            assert.equal(answer.status, clean.status, `${label}: answered ${answer.status} ${answer.code ?? ''} instead of ${clean.status}`);
            answers.push(`${answer.status}`);
            continue;
          }
          assert.equal(attempts, service === 'ses' ? SES_ATTEMPTS : DYNAMODB_ATTEMPTS, `${label}: attempts`);
          const committedBefore = succeeded.some((i) => i < k && /(TransactWriteItems|PutItem|UpdateItem|DeleteItem)Command$/.test(calls[i - 1] ?? ''));
          const bestEffort = committedBefore && flow.bestEffortAfterCommit?.test(call) === true;
          if ('authorizer' in req) {
            assert.equal(answer.status, 403, `${label}: the authorizer allowed`);
          } else if (bestEffort) {
            assert.equal(answer.status, clean.status, `${label}: answered ${answer.status} ${answer.code ?? ''} for a best-effort write after the commit`);
          } else if (flow.enumerationSafe?.calls.test(call)) {
            assert.equal(
              answer.status,
              flow.enumerationSafe.status,
              `${label}: answered ${answer.status}, not the enumeration-safe ${flow.enumerationSafe.status}`,
            );
          } else {
            assert.equal(answer.status, 503, `${label}: answered ${answer.status} ${answer.code ?? ''}`);
            assert.equal(answer.code, 'service_unavailable', label);
            assert.match(answer.retryAfter ?? '', /^[1-9]\d*$/, `${label}: no Retry-After`);
          }
          // No partial write: unchanged unless a transaction completed before the fault.
          // (A commit of one item is a plain conditional Put/Update/Delete instead of a transaction.)
          const changes = diff(before, afterScan);
          if (!committedBefore) assert.deepEqual(changes, [], `${label}: partial write ${changes.join(', ')}`);
          // The same request, once the fault clears, succeeds.
          // (A best-effort failure already answered the clean answer: the effect is done, the token spent.)
          if (!bestEffort) {
            const again = await send(req);
            assert.equal(again.status, clean.status, `${label}: the retry after the fault answered ${again.status} ${again.code ?? ''}`);
          }
          answers.push(
            `${answer.status}${answer.retryAfter ? ` (Retry-After ${answer.retryAfter})` : ''}${committedBefore ? `, kept: ${changes.join(' ')}` : ''}`,
          );
        }
        cells.push(`${answers[0]} / ${answers[1]}`);
      }
      matrix.push(`| ${flow.name} | ${k}: ${call.replace('Command', '')} | ${clean.status} | ${cells.join(' | ')} |`);
    }
  }
  const table = [
    '| flow | call k | clean | throttle: once / always | time-out: once / always | 5xx: once / always |',
    '|---|---|---|---|---|---|',
    ...matrix,
  ].join('\n');
  console.log(`\nfault matrix (${cases} cases; once = first attempt fails, always = every attempt fails; authorizer: 200 allow, 403 deny)\n${table}\n`);
  t.diagnostic(`${cases} fault cases over ${flows.length} flows`);
});

test('injected SES and DynamoDB faults in the mail sender: a throttle or an outage is retried (the mail waits), never lost; a failed delete leaves the mail sent', async () => {
  const rows: string[] = [];
  for (const fault of FAULTS) {
    for (const mode of ['once', 'always'] as FaultMode[]) {
      for (const [k, call] of [
        [1, 'ses:SendEmail'],
        [2, 'dynamodb:DeleteItem'],
      ] as const) {
        const label = `sender, call ${k} (${call}), ${fault} ${mode}`;
        await drainOutbox();
        const { email } = await signedIn();
        assert.equal((await send(post('POST /password-reset', { email }))).status, 202);
        const [mail] = await outbox();
        assert.ok(mail, `${label}: no outbox mail`);
        delivered.delete(`reset-password ${email}`);
        const sender = { store: faultyStore().store, mailer: await faultyMailer(), log: new CapturingLog(), templates: defaultTemplates };
        arm(plan, k, fault, mode);
        let result: string;
        try {
          result = await sendOutboxMail(sender, mail);
        } catch (error) {
          result = error instanceof Error ? error.name : String(error);
        } finally {
          disarm(plan);
        }
        const waiting = (await outbox()).some((m) => m.id === mail.id);
        const sent = delivered.has(`reset-password ${email}`);
        if (mode === 'once' || call === 'dynamodb:DeleteItem') {
          // Recovered by the SDK's retry, or the mail is out and only its delete failed (the TTL removes the item).
          assert.equal(result, 'sent', label);
          assert.ok(sent, `${label}: not sent`);
          assert.equal(waiting, mode === 'always', `${label}: outbox item`);
        } else {
          // SES failed on every attempt: reported for a retry, and the mail waits in the outbox.
          assert.equal(result, 'ServiceUnavailableError', label);
          assert.ok(!sent && waiting, `${label}: the mail must wait for the retry`);
          assert.equal(await sendOutboxMail(sender, mail), 'sent', `${label}: the retry`);
          assert.ok(delivered.has(`reset-password ${email}`), `${label}: not sent on retry`);
        }
        rows.push(`| ${call} | ${fault} ${mode} | ${result}${waiting ? ', item kept' : ''} |`);
      }
    }
  }
  await drainOutbox();
  console.log(`\nmail sender fault matrix\n| call | fault | outcome |\n|---|---|---|\n${rows.join('\n')}\n`);
});
