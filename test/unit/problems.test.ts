/**
 * The one problem table (`shared/domain/problems.ts`): the HTTP answers, the OpenAPI document and
 * the client's code list come from it or are held to it; a retryable code only travels with
 * `Retry-After`; a 503 leaves a warn line naming its cause, in the functions and the authorizer.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { LATCH_PROBLEM_CODES } from '../../client/index.js';
import { AuthError, RetryableError, ServiceUnavailableError } from '../../shared/domain/errors.js';
import { PROBLEM_DOCS } from '../../shared/domain/problem-docs.js';
import { PROBLEM_CODES, PROBLEMS } from '../../shared/domain/problems.js';
import { signIn } from '../../shared/flows/current-session.js';
import { newUser } from '../../shared/flows/registration.js';
import { buildOpenApi } from '../../shared/http/openapi.js';
import { errorToResponse, KNOWN_CODES, problemResponse } from '../../shared/http/problem.js';
import { type RouteDefinition, routeKey, routes } from '../../shared/http/routes.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';
import { FastFakeHasher, type Handler, lambdaContext, loadFunctions, routeEvent } from '../support/hardening.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

test("one problem table: the client's code list is the server's (a test compares; the client stays dependency-free)", () => {
  assert.deepEqual([...LATCH_PROBLEM_CODES, 'internal_error'], PROBLEM_CODES);
  assert.deepEqual(KNOWN_CODES, PROBLEM_CODES);
});

test('one problem table: every answer takes its status, title and default detail from PROBLEMS', () => {
  for (const code of PROBLEM_CODES) {
    const response = problemResponse(code);
    const body = JSON.parse(response.body as string) as Record<string, unknown>;
    assert.equal(response.statusCode, PROBLEMS[code].status, code);
    assert.deepEqual(body, {
      type: `urn:latch:problem:${code}`,
      title: PROBLEMS[code].title,
      status: PROBLEMS[code].status,
      detail: PROBLEMS[code].detail,
      code,
    });
  }
});

test('one problem table: the OpenAPI document describes every code with its text and answers retryable ones with Retry-After', () => {
  const document = buildOpenApi({ issuer: 'https://auth.example.com', requireEmailConfirmation: true });
  const seen = new Set<string>();
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      for (const response of Object.values(operation.responses)) {
        for (const code of (response['x-codes'] ?? []) as Array<keyof typeof PROBLEMS>) {
          seen.add(code);
          assert.ok(response.description.includes(PROBLEM_DOCS[code]), `${operation.operationId}: ${code}`);
          if ('retryable' in PROBLEMS[code]) assert.ok(response.headers?.['Retry-After'], `${operation.operationId}: ${code} without Retry-After`);
        }
      }
    }
  }
  assert.ok(seen.has('service_unavailable') && seen.has('too_many_attempts'));
});

test('retryable codes: AuthError refuses too_many_attempts and service_unavailable; only a RetryableError carries them, with Retry-After', () => {
  for (const code of ['too_many_attempts', 'service_unavailable'] as const) {
    const construct = () =>
      // @ts-expect-error the type refuses a retryable code on a plain AuthError, as the constructor does at run time
      new AuthError(code, 'x');
    assert.throws(construct, (error: unknown) => error instanceof TypeError && error.message.includes(code));
    const response = errorToResponse(new RetryableError(code, 7));
    assert.equal(response.statusCode, PROBLEMS[code].status);
    assert.equal(response.headers?.['retry-after'], '7');
  }
  const retryable = PROBLEM_CODES.filter((code) => 'retryable' in PROBLEMS[code]);
  assert.deepEqual(retryable.sort(), ['service_unavailable', 'too_many_attempts']);
  assert.equal(errorToResponse(new ServiceUnavailableError()).headers?.['retry-after'], '1');
});

test('errors pass their cause through', () => {
  const cause = new Error('socket hang up');
  assert.equal(new AuthError('not_found', undefined, { cause }).cause, cause);
  assert.equal(new ServiceUnavailableError(undefined, { cause }).cause, cause);
  assert.equal(new RetryableError('too_many_attempts', 1, undefined, { cause }).cause, cause);
});

describe503();

/** A 503 from the store, through the real handler and the authorizer. */
function describe503() {
  let deps: MemoryDeps;
  let byFunction: Map<string, Handler>;
  let authorize: (event: unknown) => Promise<{ isAuthorized?: boolean }>;
  let accessToken: string;
  let outage = false;
  class ProvisionedThroughputExceededException extends Error {
    override name = 'ProvisionedThroughputExceededException';
  }

  before(async () => {
    deps = await memoryDeps();
    deps.hasher = new FastFakeHasher() as unknown as MemoryDeps['hasher'];
    const getSession = deps.store.getSession.bind(deps.store);
    deps.store.getSession = async (userId, sessionId) => {
      if (outage) throw new ServiceUnavailableError(undefined, { cause: new ProvisionedThroughputExceededException('secret-in-message') });
      return getSession(userId, sessionId);
    };
    useDeps(deps);
    ({ byFunction } = await loadFunctions());
    ({ handler: authorize } = (await import('../../functions/authorizer.js')) as { handler: typeof authorize });
    const user = newUser(deps, { email: 'ann@example.com', passwordHash: await deps.hasher.hash('Correct-Horse-42'), emailConfirmed: true });
    await deps.store.commit([{ type: 'createUser', user }]);
    ({ accessToken } = await signIn(deps, { email: 'ann@example.com', password: 'Correct-Horse-42' }, { ip: null, userAgent: null }));
  });

  test('every 503 is logged at warn with the name of its cause (never its message); the authorizer logs it and still denies', async () => {
    const route = (routes as readonly RouteDefinition[]).find((r) => routeKey(r) === 'GET /sessions') as RouteDefinition;
    const handler = byFunction.get(route.function) as Handler;
    const event = routeEvent(route, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal((await handler(event, lambdaContext(route.function))).statusCode, 200, 'the token works before the outage');
    outage = true;
    deps.log.lines.length = 0;
    const response = await handler(event, lambdaContext(route.function));
    const decision = await authorize({
      version: '2.0',
      type: 'REQUEST',
      routeArn: 'arn:x',
      identitySource: [`Bearer ${accessToken}`],
      headers: { authorization: `Bearer ${accessToken}` },
    });
    outage = false;
    assert.equal(response.statusCode, 503);
    assert.equal(response.headers?.['retry-after'], '1');
    assert.equal(decision.isAuthorized, false);
    const warned = deps.log.lines.filter((line) => line.level === 'warn' && line.fields.causeName === 'ProvisionedThroughputExceededException');
    assert.equal(warned.length, 2, JSON.stringify(deps.log.lines));
    assert.ok(!JSON.stringify(deps.log.lines).includes('secret-in-message'));
    assert.ok(!JSON.stringify(deps.log.lines).includes(accessToken));
  });
}
