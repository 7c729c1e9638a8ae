/**
 * Log hygiene: every flow, through the real handlers, with a log that records what `deps.log`
 * receives AND what Powertools' Logger (the production logger, `shared/runtime/logger.ts`)
 * writes to stdout. No line may contain a password, a token (access, renewal, mail link, or its
 * secret part), a stored hash, or a full email address (as typed or canonical). A user id, the
 * flow, an outcome code and a request id may appear.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ServiceUnavailableError } from '../../shared/domain/errors.js';
import { signIn } from '../../shared/flows/current-session.js';
import { newUser } from '../../shared/flows/registration.js';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import type { Log } from '../../shared/ports/services.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';
import { createLog } from '../../shared/runtime/logger.js';
import { FastFakeHasher, type Handler, lambdaContext, loadFunctions, routeEvent } from '../support/hardening.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'Correct-Horse-Battery-Staple-42';
const WRONG = 'Wrong-Horse-Battery-Staple-42';

let deps: MemoryDeps;
let byFunction: Map<string, Handler>;
let authorize: (event: unknown) => Promise<unknown>;
const lines: string[] = [];
const secrets = new Set<string>();
let mailFails = false;
let storeExplodes = false;
let n = 0;

before(async () => {
  // Powertools reads its level at construction; tests run with it SILENT by default.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const powertools = createLog('latch-log-hygiene');
  const base = await memoryDeps();
  const capture = (level: keyof Log) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, message, ...fields }));
    powertools[level](message, fields);
  };
  deps = {
    ...base,
    hasher: new FastFakeHasher() as unknown as MemoryDeps['hasher'],
    log: { info: capture('info'), warn: capture('warn'), error: capture('error') } as MemoryDeps['log'],
  };
  const mailer = deps.mailer;
  const send = mailer.send.bind(mailer);
  mailer.send = async (message) => {
    if (mailFails) throw new ServiceUnavailableError();
    return send(message);
  };
  const findUserByEmail = deps.store.findUserByEmail.bind(deps.store);
  deps.store.findUserByEmail = async (canonical) => {
    if (storeExplodes) throw new TypeError(`Cannot read properties of undefined (reading '${canonical}')`);
    return findUserByEmail(canonical);
  };
  useDeps(deps);
  ({ byFunction } = await loadFunctions());
  ({ handler: authorize } = (await import('../../functions/authorizer.js')) as { handler: typeof authorize });
});

/** Runs `fn` while recording what Powertools writes to stdout. */
async function capturingStdout<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(`stdout: ${typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')}`);
    return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

function route(key: string): RouteDefinition {
  const found = (routes as readonly RouteDefinition[]).find((r) => routeKey(r) === key);
  if (!found) throw new Error(`no route ${key}`);
  return found;
}

/** Calls a route; every token in the answer becomes a secret to look for. */
async function call(key: string, options: { body?: unknown; token?: string; params?: Record<string, string> } = {}) {
  const r = route(key);
  const handler = byFunction.get(r.function) as Handler;
  const response = await handler(
    routeEvent(r, {
      ...(options.params ? { params: options.params } : {}),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    }),
    lambdaContext(r.function),
  );
  const body = JSON.parse(response.body || '{}') as Record<string, unknown>;
  for (const name of ['accessToken', 'renewalToken']) if (typeof body[name] === 'string') secret(body[name] as string);
  return { status: response.statusCode ?? 200, body };
}

function secret(value: string): string {
  secrets.add(value);
  // The secret part of `userId.secret` / `userId.sessionId.secret` tokens, and a JWT's signature.
  const last = value.split('.').pop();
  if (last && last.length >= 16) secrets.add(last);
  return value;
}

function email(label: string): string {
  n += 1;
  const address = `Log.${label}-${n}@Example.com`;
  secrets.add(address);
  secrets.add(address.toLowerCase());
  secrets.add(address.split('@')[0] as string);
  return address;
}

async function confirmedUser(): Promise<{ address: string; userId: string }> {
  const address = email('owner');
  const user = newUser(deps, { email: address, passwordHash: await deps.hasher.hash(PASSWORD), emailConfirmed: true });
  await deps.store.commit([{ type: 'createUser', user }]);
  return { address, userId: user.id };
}

function confirmationToken(address: string): string {
  return secret(lastMailedToken(deps, address.toLowerCase(), 'confirm-email')); // mail goes to the canonical address
}

function assertClean(): void {
  // Everything the store holds that is a hash is a secret too.
  for (const user of deps.store.users.values()) if (user.passwordHash) secrets.add(user.passwordHash);
  for (const session of deps.store.sessions.values()) {
    secrets.add(session.renewalHash);
    secrets.add(session.renewalKey);
  }
  for (const token of deps.store.tokens.values()) secrets.add(token.hash);
  secrets.add(PASSWORD);
  secrets.add(WRONG);
  assert.ok(lines.length > 10, `only ${lines.length} log lines: is the logger wired?`);
  assert.ok(
    lines.some((l) => l.startsWith('stdout: ')),
    'nothing reached Powertools',
  );
  for (const line of lines) {
    for (const s of secrets) assert.ok(!line.includes(s), `a log line contains a secret (${s.slice(0, 6)}…): ${line.slice(0, 200)}`);
  }
}

test('no password, token, hash or full email in any log line, across every flow (deps.log and Powertools stdout)', async () => {
  await capturingStdout(async () => {
    // Registration: new, invalid, taken (unconfirmed → mail again), taken (confirmed → notice).
    const fresh = email('fresh');
    assert.equal((await call('POST /registration', { body: { email: fresh, password: PASSWORD } })).status, 202);
    assert.equal((await call('POST /registration', { body: { email: fresh, password: 'short' } })).status, 422);
    assert.equal((await call('POST /registration', { body: { email: fresh.toUpperCase(), password: PASSWORD } })).status, 202);
    const owner = await confirmedUser();
    assert.equal((await call('POST /registration', { body: { email: owner.address, password: PASSWORD } })).status, 202);
    // Resend: unknown, unconfirmed, unconfirmed while mail fails (logged, not answered).
    assert.equal((await call('POST /email-confirmation/resend', { body: { email: email('unknown') } })).status, 202);
    assert.equal((await call('POST /email-confirmation/resend', { body: { email: fresh } })).status, 202);
    mailFails = true;
    assert.equal((await call('POST /email-confirmation/resend', { body: { email: fresh } })).status, 202);
    mailFails = false;
    // Sign-in: unconfirmed (403, mail), wrong password, unknown email, success.
    assert.equal((await call('POST /session', { body: { email: fresh, password: PASSWORD } })).status, 403);
    assert.equal((await call('POST /session', { body: { email: owner.address, password: WRONG } })).status, 401);
    assert.equal((await call('POST /session', { body: { email: email('nobody'), password: WRONG } })).status, 401);
    const signedIn = await call('POST /session', { body: { email: owner.address, password: PASSWORD } });
    assert.equal(signedIn.status, 200);
    // Confirmation: bad token, good token.
    assert.equal((await call('POST /email-confirmation/{token}', { params: { token: secret(`${owner.userId}.not-a-real-secret-value`) } })).status, 404);
    assert.equal((await call('POST /email-confirmation/{token}', { params: { token: confirmationToken(fresh) } })).status, 200);
    // Renewal: success, then the spent token again (session revoked, warned), then junk.
    const renewed = await call('POST /session/renew', { body: { renewalToken: signedIn.body.renewalToken } });
    assert.equal(renewed.status, 200);
    assert.equal((await call('POST /session/renew', { body: { renewalToken: signedIn.body.renewalToken } })).status, 401);
    assert.equal((await call('POST /session/renew', { body: { renewalToken: secret('x.y.zzzzzzzzzzzzzzzzzzzzzzzz') } })).status, 401);
    // Authenticated routes and the authorizer.
    const pair = await signIn(deps, { email: owner.address, password: PASSWORD }, { ip: null, userAgent: null });
    secret(pair.accessToken);
    secret(pair.renewalToken);
    assert.equal((await call('GET /me', { token: pair.accessToken })).status, 200);
    await authorize({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:x',
      identitySource: [`Bearer ${pair.accessToken}`],
      headers: { authorization: `Bearer ${pair.accessToken}` },
    });
    await authorize({ version: '2.0', type: 'REQUEST', routeArn: 'arn:x', identitySource: ['Bearer junk'], headers: { authorization: 'Bearer junk' } });
    assert.equal((await call('DELETE /session', { token: pair.accessToken })).status, 204);
    assert.equal((await call('GET /me', { token: pair.accessToken })).status, 401);
    // An unexpected error whose message carries the email: logged by name only, answered 500.
    storeExplodes = true;
    const crash = await call('POST /email-confirmation/resend', { body: { email: fresh } });
    storeExplodes = false;
    assert.equal(crash.status, 500);

    // Every route of the table (including ones added later), with plausible bodies and a live token.
    // `DELETE /me` goes last: it deletes the owner the other routes sign in as.
    const ordered = [...(routes as readonly RouteDefinition[])].sort((a, b) => Number(routeKey(a) === 'DELETE /me') - Number(routeKey(b) === 'DELETE /me'));
    for (const r of ordered) {
      const live = await signIn(deps, { email: owner.address, password: PASSWORD }, { ip: null, userAgent: null });
      secret(live.accessToken);
      secret(live.renewalToken);
      const params = Object.fromEntries(
        [...r.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => [m[1] as string, secret(`${owner.userId}.some-secret-looking-value-123`)]),
      );
      await call(routeKey(r), {
        params,
        token: live.accessToken,
        ...(r.body
          ? { body: { email: owner.address, password: PASSWORD, passwordConfirmation: PASSWORD, currentPassword: PASSWORD, renewalToken: live.renewalToken } }
          : {}),
      });
    }
  });
  assertClean();
});
