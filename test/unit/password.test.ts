import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARGON2_PARAMS, Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import { isCommonPassword, passwordProblems } from '../../shared/domain/password.js';
import { DUMMY_PASSWORD_HASH } from '../../shared/flows/dummy-password.js';

test('password rules: length in code points, maximum, common passwords', () => {
  assert.deepEqual(passwordProblems('short', 8), ['should be at least 8 character(s)']);
  assert.deepEqual(passwordProblems('😀😀😀😀😀😀😀😀', 8), []); // 8 code points, 16 UTF-16 units
  assert.deepEqual(passwordProblems('x'.repeat(4097), 8), ['should be at most 4096 character(s)']);
  assert.deepEqual(passwordProblems('correct horse battery staple', 8), []);
  assert.deepEqual(passwordProblems('correct horse', 15), ['should be at least 15 character(s)']);
});

test('commonly used passwords come from the zxcvbn-ts dictionary, case-insensitively', () => {
  for (const common of ['password', 'PASSWORD', '12345678', 'qwertyuiop', 'iloveyou']) assert.equal(isCommonPassword(common), true, common);
  assert.equal(isCommonPassword('correct horse battery staple'), false);
  assert.deepEqual(passwordProblems('password1', 8), ['is too common; choose a less common password']);
});

test('argon2id with OWASP parameters; the dummy hash uses the same parameters', async () => {
  const hasher = new Argon2Hasher();
  const hash = await hasher.hash('correct horse battery staple');
  const params = `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`;
  assert.ok(hash.startsWith(params));
  assert.ok(DUMMY_PASSWORD_HASH.startsWith(params));
  assert.equal(await hasher.verify(hash, 'correct horse battery staple'), true);
  assert.equal(await hasher.verify(hash, 'wrong'), false);
  assert.equal(await hasher.verify('not a hash', 'x'), false);
  assert.equal(await hasher.verify(DUMMY_PASSWORD_HASH, 'anything'), false);
});
