import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  // The same module path a deployer sets locally (`npm start`); tsx loads the .ts file.
  api = await startTestStack({ LATCH_HOOKS_MODULE: 'examples/extensions/allowed-email-domains.ts', ALLOWED_EMAIL_DOMAINS: 'example.com' });
});
after(async () => {
  await api.close();
});

test('registration from an allowed domain answers 202 and mails the confirmation link', async () => {
  const email = uniqueEmail(); // @example.com
  const response = await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  assert.equal(response.status, 202);
  assert.equal((await mailsTo(email)).length, 1);
});

test('registration from another domain answers 422 errors.email and changes nothing', async () => {
  const email = uniqueEmail().replace('@example.com', '@elsewhere.test');
  const before = await api.scan();
  const response = await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
  assert.equal(response.status, 422);
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  assert.equal(response.body.code, 'validation_failed');
  assert.deepEqual(response.body.errors, { email: ['is not allowed'] });
  assert.deepEqual(await api.scan(), before);
  assert.equal((await mailsTo(email)).length, 0);
});
