/**
 * Load: the local runner in a child process, autocannon from this process on loopback, a mix of
 * sign-ins, authorized GET /me, renewals and sign-outs for LATCH_LOAD_SECONDS (default 30).
 * Properties: no 5xx at all, and afterwards the sessions in the store are exactly the successful
 * sign-ins minus the sign-outs. Requests still in flight when the run stops have no answer; each
 * sign-in carries a unique User-Agent (stored on its session) so those are told apart exactly.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ensureTable } from '../../infra/local/services.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import { lastLinkToken } from '../support/mail.js';
import { testServices, uniqueEmail, uniqueTableName } from '../support/services.js';

const SECONDS = Number(process.env.LATCH_LOAD_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.LATCH_LOAD_CONNECTIONS ?? 8);
const USERS = 8;
const PASSWORD = 'correct horse battery staple';

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}
interface Context {
  n?: number;
  access?: string;
  renewal?: string;
  marker?: string;
}
type Autocannon = (
  options: Record<string, unknown>,
) => Promise<{ requests: { total: number }; latency: { p99: number; average: number }; errors: number; timeouts: number; '5xx': number; non2xx: number }>;

let child: ChildProcess;
let url: string;
let store: DynamoDbStore;
const users: Array<{ email: string; id: string }> = [];

before(async () => {
  const { dynamoDbEndpoint } = testServices();
  const tableName = uniqueTableName('load');
  await ensureTable(dynamoDbEndpoint, tableName);
  store = new DynamoDbStore(createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamoDbEndpoint }), tableName);
  const server = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-server.ts');
  child = spawn(process.execPath, ['--import', 'tsx', server], {
    // The test counts every session a sign-in made: the per-user cap (tested on its own) stays out of the way.
    env: { ...process.env, LATCH_LOAD_TABLE: tableName, POWERTOOLS_LOG_LEVEL: 'SILENT', AUTH_MAX_SESSIONS_PER_USER: '1000' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the local runner exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith('{"url"')) resolve((JSON.parse(line) as { url: string }).url);
    });
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'loopback only');
  for (let i = 0; i < USERS; i++) {
    const email = uniqueEmail('load');
    const post = (p: string, body?: unknown) =>
      fetch(`${url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    assert.equal((await post('/registration', { email, password: PASSWORD })).status, 202);
    const confirmed = await post(`/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`);
    assert.equal(confirmed.status, 200);
    users.push({ email, id: ((await confirmed.json()) as { user: { id: string } }).user.id });
  }
});

after(() => {
  child?.kill('SIGTERM');
});

test(`${SECONDS} s of sign-ins, renewals, GET /me and sign-outs from ${CONNECTIONS} connections: zero 5xx, and sessions in the store = successful sign-ins − sign-outs`, async (t) => {
  const autocannon = ((await import('autocannon' as string)) as { default: Autocannon }).default;
  const statuses = new Map<string, number>();
  const sentSignIns = new Set<string>();
  const answeredSignIns = new Set<string>();
  const signedIn = new Map<string, { userId: string }>();
  const sentSignOuts = new Set<string>();
  const signedOut = new Set<string>();
  let next = 0;
  const count = (label: string, status: number) => statuses.set(`${label} ${status}`, (statuses.get(`${label} ${status}`) ?? 0) + 1);
  const bearer = (context: Context) => ({ 'content-type': 'application/json', authorization: `Bearer ${context.access ?? 'none'}` });

  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: SECONDS,
    timeout: 60,
    requests: [
      {
        method: 'POST',
        path: '/session',
        setupRequest: (req: AutocannonRequest, context: Context) => {
          context.n = next++;
          context.marker = `load-${randomUUID()}`;
          context.access = undefined;
          context.renewal = undefined;
          sentSignIns.add(context.marker);
          const user = users[context.n % USERS] as { email: string };
          return {
            ...req,
            headers: { 'content-type': 'application/json', 'user-agent': context.marker },
            body: JSON.stringify({ email: user.email, password: PASSWORD, rememberMe: context.n % 2 === 0 }),
          };
        },
        onResponse: (status: number, body: string, context: Context) => {
          count('POST /session', status);
          answeredSignIns.add(context.marker as string);
          if (status !== 200) return;
          const pair = JSON.parse(body) as { accessToken: string; renewalToken: string; user: { id: string } };
          context.access = pair.accessToken;
          context.renewal = pair.renewalToken;
          signedIn.set(context.marker as string, { userId: pair.user.id });
        },
      },
      {
        method: 'GET',
        path: '/me',
        setupRequest: (req: AutocannonRequest, context: Context) => ({ ...req, headers: bearer(context) }),
        onResponse: (status: number) => count('GET /me', status),
      },
      {
        method: 'POST',
        path: '/session/renew',
        setupRequest: (req: AutocannonRequest, context: Context) => ({
          ...req,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ renewalToken: context.renewal ?? 'none' }),
        }),
        onResponse: (status: number, body: string, context: Context) => {
          count('POST /session/renew', status);
          if (status !== 200) return;
          const pair = JSON.parse(body) as { accessToken: string; renewalToken: string };
          context.access = pair.accessToken;
          context.renewal = pair.renewalToken;
        },
      },
      {
        method: 'GET',
        path: '/me',
        setupRequest: (req: AutocannonRequest, context: Context) => ({ ...req, headers: bearer(context) }),
        onResponse: (status: number) => count('GET /me', status),
      },
      {
        // Every other round signs out; the rest read the JWKS instead.
        method: 'DELETE',
        path: '/session',
        setupRequest: (req: AutocannonRequest, context: Context) => {
          if ((context.n ?? 0) % 2 === 1) return { ...req, method: 'GET', path: '/.well-known/jwks.json', headers: {} };
          sentSignOuts.add(context.marker as string);
          return { ...req, method: 'DELETE', path: '/session', headers: bearer(context) };
        },
        onResponse: (status: number, _body: string, context: Context) => {
          const signOut = (context.n ?? 0) % 2 === 0;
          count(signOut ? 'DELETE /session' : 'GET /.well-known/jwks.json', status);
          if (signOut && status === 204) signedOut.add(context.marker as string);
        },
      },
    ],
  });

  const summary = [...statuses]
    .sort()
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  t.diagnostic(
    `${result.requests.total} requests in ${SECONDS} s (avg latency ${result.latency.average} ms, p99 ${result.latency.p99} ms); ${summary}; errors ${result.errors}, timeouts ${result.timeouts}`,
  );
  console.log(`load: ${result.requests.total} requests in ${SECONDS} s, p99 ${result.latency.p99} ms; ${summary}`);

  assert.equal(result['5xx'], 0, `5xx answers: ${summary}`);
  assert.ok(
    [...statuses.keys()].every((k) => !/ 5\d\d$/.test(k)),
    summary,
  );
  assert.ok(signedIn.size > 0, 'no sign-in succeeded');

  // Sessions left in the store, by the User-Agent marker of the sign-in that made each.
  const sessions = (await Promise.all(users.map((u) => store.listSessions(u.id)))).flat();
  const stored = new Set(sessions.map((s) => s.userAgent as string));
  assert.equal(stored.size, sessions.length);
  const expected = new Set([...signedIn.keys()].filter((m) => !signedOut.has(m)));
  // Differences are allowed only for requests in flight when the run stopped (sent, never answered).
  const unansweredSignIns = new Set([...sentSignIns].filter((m) => !answeredSignIns.has(m)));
  for (const marker of stored) {
    if (expected.has(marker)) continue;
    const inFlight = unansweredSignIns.has(marker) || (sentSignOuts.has(marker) && !signedOut.has(marker));
    assert.ok(inFlight, `a session exists that no answered sign-in created, or that an answered sign-out should have ended (${marker})`);
  }
  for (const marker of expected)
    assert.ok(stored.has(marker) || (sentSignOuts.has(marker) && !signedOut.has(marker)), `a signed-in session vanished (${marker})`);
  const inFlight = sessions.length - expected.size;
  assert.ok(Math.abs(inFlight) <= CONNECTIONS, `sessions ${sessions.length} vs expected ${expected.size}`);
  t.diagnostic(
    `sessions in the store: ${sessions.length}; successful sign-ins ${signedIn.size} − sign-outs ${signedOut.size} = ${signedIn.size - signedOut.size}; in flight at the stop: ${inFlight}`,
  );
});
