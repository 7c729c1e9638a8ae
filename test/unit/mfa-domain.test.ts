/** Pure second-factor rules (`docs/specs/mfa-and-passkeys.md` §4, §6): the otpauth URI, code shapes, normalisation, amr. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  codeShapeOf,
  formatRecoveryCode,
  generateRecoveryCode,
  normalizeRecoveryCode,
  RECOVERY_ALPHABET,
  remainingRecoveryCodes,
} from '../../shared/domain/recovery-codes.js';
import { amrOf, amrWithSecondFactor, authTimeOf, normalizeTotpCode, otpauthUri, timeStepOf } from '../../shared/domain/totp.js';

test('the otpauth URI percent-encodes label and issuer and names SHA1, 6 digits, 30 s', () => {
  assert.equal(
    otpauthUri('Acme Co', 'a+b@example.com', 'JBSWY3DPEHPK3PXP'),
    'otpauth://totp/Acme%20Co:a%2Bb%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30',
  );
});

test('a TOTP code is 6 digits once spaces are removed; the time step is epoch / 30', () => {
  assert.equal(normalizeTotpCode(' 123 456 '), '123456');
  assert.equal(normalizeTotpCode('12345'), undefined);
  assert.equal(normalizeTotpCode('12345a'), undefined);
  assert.equal(timeStepOf(59), 1);
  assert.equal(timeStepOf(60), 2);
});

test('recovery codes: 16 symbols of Crockford base32, shown in groups of 4, normalised from what people type', () => {
  const code = generateRecoveryCode();
  assert.equal(code.length, 16);
  for (const symbol of code) assert.ok(RECOVERY_ALPHABET.includes(symbol));
  assert.match(formatRecoveryCode(code), /^(.{4}-){3}.{4}$/);
  assert.equal(normalizeRecoveryCode(formatRecoveryCode(code)), code);
  assert.equal(normalizeRecoveryCode('abcd efgh-jkmn pqrs'), 'ABCDEFGHJKMNPQRS');
  assert.equal(normalizeRecoveryCode('oOiI-lL00-0000-0000'), '0011110000000000');
  assert.equal(normalizeRecoveryCode('UUUU-0000-0000-0000'), undefined, 'U is not in the alphabet');
  assert.equal(normalizeRecoveryCode('0000-0000-0000'), undefined);
  assert.notEqual(generateRecoveryCode(), generateRecoveryCode());
});

test('a code is TOTP, a recovery code or invalid by its shape', () => {
  assert.deepEqual(codeShapeOf('123 456'), { kind: 'totp', code: '123456' });
  assert.deepEqual(codeShapeOf('abcd-efgh-jkmn-pqrs'), { kind: 'recovery_code', code: 'ABCDEFGHJKMNPQRS' });
  assert.deepEqual(codeShapeOf('1234567'), { kind: 'invalid' });
  assert.deepEqual(codeShapeOf(''), { kind: 'invalid' });
});

test('remaining recovery codes count the unused ones', () => {
  assert.equal(remainingRecoveryCodes(undefined), 0);
  assert.equal(remainingRecoveryCodes({ a: { hash: 'x' }, b: { hash: 'y', usedAt: '2026-01-01T00:00:00Z' } }), 1);
});

test('amr: a session without one reads as pwd; a second factor adds its value and mfa; authTime falls back to createdAt', () => {
  assert.deepEqual(amrOf({}), ['pwd']);
  assert.deepEqual(amrWithSecondFactor(['pwd'], 'otp'), ['pwd', 'otp', 'mfa']);
  assert.deepEqual(amrWithSecondFactor(['pwd', 'otp', 'mfa'], 'rcode'), ['pwd', 'rcode', 'mfa']);
  assert.equal(authTimeOf({ createdAt: '2026-01-01T00:00:10.000Z' }), Date.parse('2026-01-01T00:00:10Z') / 1000);
  assert.equal(authTimeOf({ createdAt: '2026-01-01T00:00:10.000Z', authTime: 5 }), 5);
});
