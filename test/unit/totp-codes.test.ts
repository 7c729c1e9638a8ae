/**
 * `shared/flows/totp-codes.ts`: TOTP on `node:crypto` through otplib's `TOTP` class and plugins
 * computes what RFC 6238 and the `otplib` preset (on `@noble/hashes`) compute. The preset stays in
 * the tests as the reference (and as what the docs' `node -e` snippets use).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate, generateSecret } from 'otplib';
import { TOTP_SECRET_BYTES } from '../../shared/domain/totp.js';
import { matchedTotpStep, newTotpSecret } from '../../shared/flows/totp-codes.js';

/** RFC 6238 appendix B, SHA-1: the ASCII secret `12345678901234567890` (base32 below), time → 8-digit code. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

test('totp codes: RFC 6238 SHA-1 vectors (6-digit truncations) match at their time step, and not one step later', async () => {
  assert.equal(Buffer.from('12345678901234567890').toString('hex'), '3132333435363738393031323334353637383930');
  for (const [time, code8] of RFC_VECTORS) {
    const code = code8.slice(-6);
    assert.equal(await matchedTotpStep({ secret: RFC_SECRET, code, epoch: time, graceSeconds: 0 }), Math.floor(time / 30), `t=${time}`);
    assert.equal(await matchedTotpStep({ secret: RFC_SECRET, code, epoch: time + 30, graceSeconds: 0 }), undefined, `t=${time}+30`);
    // The 8-digit code is not a 6-digit code.
    assert.equal(await matchedTotpStep({ secret: RFC_SECRET, code: code8, epoch: time, graceSeconds: 0 }), undefined);
  }
});

test("totp codes: the otplib preset's codes verify on the node:crypto path; grace, no future step, replay refused", async () => {
  for (let i = 0; i < 20; i++) {
    const secret = generateSecret({ length: 20 });
    const epoch = 1_700_000_000 + i * 997;
    const step = Math.floor(epoch / 30);
    const code = await generate({ secret, epoch });
    assert.equal(await matchedTotpStep({ secret, code, epoch, graceSeconds: 10 }), step);
    // Previous step's code: accepted only during the first `graceSeconds` of the next step.
    const startOfNext = (step + 1) * 30;
    assert.equal(await matchedTotpStep({ secret, code, epoch: startOfNext + 9, graceSeconds: 10 }), step);
    assert.equal(await matchedTotpStep({ secret, code, epoch: startOfNext + 11, graceSeconds: 10 }), undefined);
    // Never a future step's code.
    const next = await generate({ secret, epoch: startOfNext });
    assert.equal(await matchedTotpStep({ secret, code: next, epoch, graceSeconds: 10 }), undefined);
    // A spent step is refused.
    assert.equal(await matchedTotpStep({ secret, code, epoch, graceSeconds: 10, afterStep: step }), undefined);
    assert.equal(await matchedTotpStep({ secret, code, epoch, graceSeconds: 10, afterStep: step - 1 }), step);
  }
});

test('totp codes: malformed codes and secrets are no match, never a throw', async () => {
  const secret = newTotpSecret();
  for (const code of ['', '12345', '1234567', 'abcdef', ' 123456'])
    assert.equal(await matchedTotpStep({ secret, code, epoch: 1_700_000_000, graceSeconds: 0 }), undefined);
  for (const bad of ['', 'not base32!', 'JBSWY3DP'])
    assert.equal(await matchedTotpStep({ secret: bad, code: '123456', epoch: 1_700_000_000, graceSeconds: 0 }), undefined);
});

test('totp codes: new secrets are base32 (no padding) of TOTP_SECRET_BYTES random bytes, and the preset generates codes for them', async () => {
  const seen = new Set<string>();
  for (let i = 0; i < 50; i++) {
    const secret = newTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(TOTP_SECRET_BYTES, 20); // 20 bytes = 160 bits = 32 base32 characters
    seen.add(secret);
    const epoch = 1_700_000_000;
    assert.equal(await matchedTotpStep({ secret, code: await generate({ secret, epoch }), epoch, graceSeconds: 0 }), Math.floor(epoch / 30));
  }
  assert.equal(seen.size, 50);
});
