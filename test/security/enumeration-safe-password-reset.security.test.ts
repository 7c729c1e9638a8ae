import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { requestPasswordReset } from '../../shared/flows/password-reset.js';
import { register } from '../../shared/flows/registration.js';
import type { AuthStore } from '../../shared/ports/store.js';
import { signedInUser } from '../support/accounts.js';
import { mailsTo } from '../support/mail.js';
import { lastMailedToken, memoryDeps } from '../support/memory.js';
import { uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test('a reset request answers the same status, headers and body for known, unknown, locked and unconfirmed emails', async () => {
  const known = await signedInUser(api);
  const locked = await signedInUser(api);
  await api.store.commit([{ type: 'updateUser', id: locked.userId, set: { locked: true } }]);
  const unconfirmed = uniqueEmail('unconfirmed');
  await api.request('POST', '/registration', { body: { email: unconfirmed, password: 'correct horse battery staple' } });
  const unknown = uniqueEmail('unknown');

  const itemsBefore = (await api.scan()).length;
  for (const email of [unknown, locked.email]) await api.request('POST', '/password-reset', { body: { email } });
  assert.equal((await api.scan()).length, itemsBefore, 'unknown and locked emails write nothing');

  const answers = [];
  for (const email of [known.email, unknown, locked.email, unconfirmed, known.email.toUpperCase()]) {
    const response = await api.request('POST', '/password-reset', { body: { email } });
    answers.push({ status: response.status, body: response.text, type: response.headers.get('content-type'), cache: response.headers.get('cache-control') });
  }
  for (const answer of answers) assert.deepEqual(answer, answers[0]);
  assert.equal(answers[0]?.status, 202);
  assert.equal((await mailsTo(unknown)).length, 0);
  assert.equal((await mailsTo(locked.email)).filter((m) => m.subject === 'Reset your password').length, 0);
  assert.equal((await mailsTo(known.email)).filter((m) => m.subject === 'Reset your password').length, 2);
});

test('a reset request does the same hashing, reading, rendering and store work for known, unknown and locked emails', async () => {
  const deps = await memoryDeps();
  await register(deps, { email: 'known@example.com', password: 'correct horse battery staple' }, { ip: null, userAgent: null });
  await confirmEmail(deps, lastMailedToken(deps, 'known@example.com', 'confirm-email'));
  await register(deps, { email: 'locked@example.com', password: 'correct horse battery staple' }, { ip: null, userAgent: null });
  const lockedUser = await deps.store.findUserByEmail('locked@example.com');
  await deps.store.commit([{ type: 'updateUser', id: lockedUser?.id ?? '', set: { locked: true } }]);

  // Count what each request costs: password hashing, store reads, transactions (no request
  // renders mail: it is queued as data and rendered by the mail sender). Audit-only
  // writes are counted apart: an address that gets no link leaves its `password.reset_requested`
  // event in a write of its own, which runs alongside the refused transaction (so the answer
  // takes as long), while a known address's event is inside its transaction.
  const reads = { count: 0 };
  let commits = 0;
  let auditWrites = 0;
  const inner = deps.store;
  const counting: AuthStore = Object.assign(Object.create(inner), {
    findUserByEmail: (email: string) => {
      reads.count += 1;
      return inner.findUserByEmail(email);
    },
    getUser: (id: string) => {
      reads.count += 1;
      return inner.getUser(id);
    },
    commit: (ops: Parameters<AuthStore['commit']>[0]) => {
      if (ops.every((op) => op.type === 'appendAuditEvent')) auditWrites += 1;
      else commits += 1;
      return inner.commit(ops);
    },
  });
  const audited = new Map<string, number>();
  const work = async (email: string) => {
    const before = { hashes: deps.hasher.hashes, verifies: deps.hasher.verifies, reads: reads.count, commits, auditWrites };
    const events = deps.store.auditEvents.size;
    const result = await requestPasswordReset({ ...deps, store: counting }, { email });
    audited.set(email, deps.store.auditEvents.size - events);
    assert.ok(auditWrites - before.auditWrites <= 1);
    return {
      result,
      hashes: deps.hasher.hashes - before.hashes,
      verifies: deps.hasher.verifies - before.verifies,
      reads: reads.count - before.reads,
      transactions: commits - before.commits,
    };
  };
  const known = await work('known@example.com');
  assert.deepEqual(await work('nobody@example.com'), known);
  assert.deepEqual(await work('locked@example.com'), known);
  assert.equal(known.transactions, 1);
  // Each request leaves exactly one event, whichever path it took.
  assert.deepEqual([...audited.values()], [1, 1, 1]);
  assert.equal(deps.mailer.to('nobody@example.com').length, 0);
  assert.equal(deps.mailer.to('known@example.com').filter((m) => m.subject === 'Reset your password').length, 1);
});
