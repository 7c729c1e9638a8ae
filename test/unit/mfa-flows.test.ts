/**
 * The recovery-code flow the two-step sign-in will call (`consumeRecoveryCode`), on the memory
 * adapter: one code, concurrent requests, exactly one success; event and notice with the spend.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate, generateSecret } from 'otplib';
import { AesGcmDataKeys, generateDataKeyRing, parseDataKeyRing } from '../../shared/adapters/crypto/data-keys.js';
import { AuthError } from '../../shared/domain/errors.js';
import { consumeRecoveryCode, newRecoveryCodes } from '../../shared/flows/mfa-recovery-codes.js';
import { verifyCode } from '../../shared/flows/reauthenticate.js';
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

test('rotation: a TOTP secret under an older data key is re-encrypted under the current one in the write that spends its code', async () => {
  const deps = await memoryDeps();
  const d1 = JSON.parse(generateDataKeyRing('d1')) as { keys: Record<string, string> };
  const d2 = JSON.parse(generateDataKeyRing('d2')) as { keys: Record<string, string> };
  const before = new AesGcmDataKeys(async () => parseDataKeyRing(JSON.stringify({ current: 'd1', keys: d1.keys }), 'ring'));
  const user = aUser({ mfaEnabled: true });
  const secret = generateSecret({ length: 20 });
  const secretEnc = await before.encrypt(secret, { purpose: 'totp', userId: user.id });
  await deps.store.commit([{ type: 'createUser', user: { ...user, totp: { secretEnc, lastStep: 0, enabledAt: '2026-01-01T00:00:00.000Z' } } }]);
  deps.dataKeys = new AesGcmDataKeys(async () => parseDataKeyRing(JSON.stringify({ current: 'd2', keys: { ...d1.keys, ...d2.keys } }), 'ring'));
  const stored = (await deps.store.getUser(user.id)) as typeof user;
  const proof = await verifyCode(deps, stored, await generate({ secret, epoch: Math.floor(deps.clock.now() / 1000) }));
  assert.ok(proof?.spend.totpSecretEnc?.startsWith('v1.d2.'));
  await deps.store.commit([{ type: 'updateUser', id: user.id, spend: (proof as NonNullable<typeof proof>).spend }]);
  const after = await deps.store.getUser(user.id);
  assert.ok(after?.totp?.secretEnc.startsWith('v1.d2.'));
  assert.equal((await deps.dataKeys.decrypt(after?.totp?.secretEnc as string, { purpose: 'totp', userId: user.id }))?.plaintext, secret);
});
