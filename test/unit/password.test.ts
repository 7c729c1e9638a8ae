import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonPasswordsFile, loadCommonPasswords } from '../../shared/adapters/breached-passwords/common.js';
import { breachedPasswordsFile, loadBreachedPasswords } from '../../shared/adapters/breached-passwords/file.js';
import { ARGON2_PARAMS, Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import { contextWords } from '../../shared/domain/context-words.js';
import { type PasswordPolicy, passwordProblems } from '../../shared/domain/password.js';

const breached = loadBreachedPasswords(breachedPasswordsFile({}));
const common = loadCommonPasswords(commonPasswordsFile({}));
const isCommonPassword = (password: string) => common.has(password);
const policy = (minLength: number, email?: string): PasswordPolicy => ({
  minLength,
  context: contextWords({ appUrl: 'https://www.acme-shop.example.com', extra: ['Rocketship'], email }),
  common,
  breached,
});

import { DUMMY_PASSWORD_HASH } from '../../shared/flows/dummy-password.js';

test('password rules: length in code points, maximum, common passwords', () => {
  assert.deepEqual(passwordProblems('short', policy(8)), ['should be at least 8 character(s)']);
  assert.deepEqual(passwordProblems('😀😀😀😀😀😀😀😀', policy(8)), []); // 8 code points, 16 UTF-16 units
  assert.deepEqual(passwordProblems('x'.repeat(4097), policy(8)), ['should be at most 4096 character(s)']);
  assert.deepEqual(passwordProblems('correct horse battery staple', policy(8)), []);
  assert.deepEqual(passwordProblems('correct horse', policy(15)), ['should be at least 15 character(s)']);
});

test('commonly used passwords come from the zxcvbn-ts dictionary, case-insensitively', () => {
  for (const common of ['password', 'PASSWORD', '12345678', 'qwertyuiop', 'iloveyou']) assert.equal(isCommonPassword(common), true, common);
  assert.equal(isCommonPassword('correct horse battery staple'), false);
  assert.deepEqual(passwordProblems('password1', policy(8)), ['is too common; choose a less common password']);
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

test('password rules in the order of the contract: length, context words, common list, breached list; first failure wins', () => {
  const email = 'Jane.Doe@Northwind.example';
  const similar = ['is too similar to your e-mail address or the name of this service'];
  // Context words: latch, the app host's labels (not www, not the TLD), the deployer's words, the
  // email, its local part and its domain's labels; compared after NFKC and lower-casing, with
  // leading and trailing digits and symbols removed.
  for (const password of ['Latch2024!', '123acme-shop!', 'EXAMPLE99', '!!Rocketship99', 'jane.doe#1', 'Northwind2025', 'ｎｏｒｔｈｗｉｎｄ2025']) {
    assert.deepEqual(passwordProblems(password, policy(8, email)), similar, password);
  }
  // Containing the email or its local part is refused; other words only when they are the whole password.
  assert.deepEqual(passwordProblems('my jane.doe password is long', policy(8, email)), similar);
  assert.deepEqual(passwordProblems('northwind is where I work, friend', policy(8, email)), []);
  // Without an email (none known yet), only the service's words count.
  assert.deepEqual(passwordProblems('Northwind2025', policy(8)), []);
  // The breached list after the common list: in SecLists' top 1M, not in the embedded common list.
  assert.equal(isCommonPassword('liverpool1892'), false);
  assert.deepEqual(passwordProblems('liverpool1892', policy(8)), ['has appeared in a data breach']);
  // Length first: a short breached password gets the length message only.
  assert.deepEqual(passwordProblems('pass', policy(8)), ['should be at least 8 character(s)']);
});
