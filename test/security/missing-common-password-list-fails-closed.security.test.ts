/**
 * "A missing common-password list fails closed, loudly" (issue 17, row 6): the list is a data file
 * beside the bundle, read on the first password check. Without it, a route that sets a password
 * answers `503 service_unavailable` and logs the cause's name; it never takes a common password
 * (or any password) as "not common", and it changes nothing. Through the real handler.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { lazyCommonPasswords } from '../../shared/adapters/breached-passwords/common.js';
import { findRoute } from '../../shared/http/routes.js';
import { useDeps } from '../../shared/runtime/lambda-deps.js';
import { FastFakeHasher, type Handler, lambdaContext, routeEvent } from '../support/hardening.js';
import { type MemoryDeps, memoryDeps } from '../support/memory.js';

const dir = mkdtempSync(path.join(tmpdir(), 'latch-no-common-list-'));
let deps: MemoryDeps;
let registration: Handler;

before(async () => {
  const base = await memoryDeps();
  deps = {
    ...base,
    hasher: new FastFakeHasher() as unknown as MemoryDeps['hasher'],
    commonPasswords: lazyCommonPasswords(path.join(dir, 'common-passwords.bin')),
  };
  useDeps(deps);
  ({ handler: registration } = (await import('../../functions/registration.js')) as { handler: Handler });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('without the common-password file, registration answers 503 with a log line, for a common password and for any other, and stores nothing', async () => {
  const route = findRoute('POST /registration');
  assert.ok(route);
  for (const [i, password] of ['password1', 'Correct-Horse-Battery-Staple-42'].entries()) {
    const before = deps.log.lines.length;
    const email = `list-${i}@example.com`;
    const response = await registration(routeEvent(route, { body: JSON.stringify({ email, password, passwordConfirmation: password }) }), lambdaContext());
    assert.equal(response.statusCode, 503, password);
    assert.equal((JSON.parse(String(response.body)) as { code: string }).code, 'service_unavailable');
    assert.ok(response.headers?.['retry-after'], 'retryable');
    const logged = deps.log.lines.slice(before);
    assert.ok(
      logged.some((line) => line.level === 'warn' && line.message === 'service unavailable' && line.fields.causeName === 'CommonPasswordListError'),
      `a log line names the cause: ${JSON.stringify(logged)}`,
    );
    assert.equal(await deps.store.findUserByEmail(email), undefined, 'no user');
  }
  assert.equal(deps.store.users.size, 0);
  assert.equal(deps.mailer.sent.length, 0, 'no mail');
});
