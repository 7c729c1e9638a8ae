/**
 * The recovery-code flow the two-step sign-in will call (`consumeRecoveryCode`), on the memory
 * adapter: one code, concurrent requests, exactly one success; event and notice with the spend.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../../shared/domain/errors.js';
import { consumeRecoveryCode, newRecoveryCodes } from '../../shared/flows/mfa-recovery-codes.js';
import { aUser } from '../support/fixtures.js';
import { memoryDeps } from '../support/memory.js';

test('consumeRecoveryCode spends a code once under concurrency, counts down, and writes its event and notice with the spend', async () => {
  const deps = await memoryDeps();
  const codes = await newRecoveryCodes(deps);
  const user = aUser({ mfaEnabled: true, recoveryCodes: codes.stored, recoveryCodesCreatedAt: '2026-01-01T00:00:00.000Z' });
  await deps.store.commit([{ type: 'createUser', user }]);
  const code = codes.shown[3] as string;
  const results = await Promise.allSettled(Array.from({ length: 6 }, () => consumeRecoveryCode(deps, user, code)));
  const ok = results.filter((r) => r.status === 'fulfilled');
  assert.equal(ok.length, 1);
  assert.deepEqual((ok[0] as PromiseFulfilledResult<{ remaining: number }>).value, { remaining: 9 });
  for (const r of results.filter((r) => r.status === 'rejected')) {
    assert.ok((r as PromiseRejectedResult).reason instanceof AuthError);
    assert.equal(((r as PromiseRejectedResult).reason as AuthError).code, 'invalid_code');
  }
  const fresh = await deps.store.getUser(user.id);
  assert.equal(Object.values(fresh?.recoveryCodes ?? {}).filter((e) => e.usedAt !== undefined).length, 1);
  // Spent, or not a code at all: invalid_code, nothing written.
  await assert.rejects(consumeRecoveryCode(deps, fresh ?? user, code), (e: AuthError) => e.code === 'invalid_code');
  await assert.rejects(consumeRecoveryCode(deps, fresh ?? user, 'not a code'), (e: AuthError) => e.code === 'invalid_code');
  const events = [...deps.store.auditEvents.values()].filter((e) => e.type === 'recovery_code.used');
  assert.deepEqual(
    events.map((e) => e.details),
    [{ remaining: 9 }],
  );
  assert.equal(deps.mailer.to(user.email).filter((m) => m.subject === 'A recovery code was used').length, 1);
  // Stored only as low-cost argon2id.
  for (const entry of Object.values(codes.stored)) assert.match(entry.hash, /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
});
