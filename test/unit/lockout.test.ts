import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AuthError, RetryableError, ServiceUnavailableError } from '../../shared/domain/errors.js';
import { signIn } from '../../shared/flows/current-session.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { clearFailedSignIns, emailScope, ipScope } from '../../shared/flows/lockout.js';
import { register } from '../../shared/flows/registration.js';
import { lastMailedToken, type MemoryDeps, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const WRONG = 'not the password at all';
const SETTINGS = { AUTH_MAX_FAILED_SIGN_INS: '3', AUTH_LOCKOUT_SECONDS: '60' };
const LOCKOUT_SUBJECT = 'Sign-in to your account is paused';

async function confirmedUser(deps: MemoryDeps, email = 'ann@example.com'): Promise<string> {
  await register(deps, { email, password: PASSWORD }, { ip: null, userAgent: null });
  await confirmEmail(deps, lastMailedToken(deps, email, 'confirm-email'));
  return email;
}

/** The outcome of a sign-in: `ok`, an error code, and Retry-After for a 429. */
async function attempt(deps: MemoryDeps, email: string, password: string, ip: string | null = '203.0.113.1') {
  try {
    await signIn(deps, { email, password }, { ip, userAgent: null });
    return { code: 'ok', retryAfter: undefined };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return { code: error.code, retryAfter: error instanceof RetryableError ? error.retryAfterSeconds : undefined };
  }
}

async function fail(deps: MemoryDeps, times: number, email: string, ip: string | null = '203.0.113.1'): Promise<void> {
  for (let i = 0; i < times; i++) assert.equal((await attempt(deps, email, WRONG, ip)).code, 'invalid_credentials');
}

function lockoutMails(deps: MemoryDeps, email: string) {
  return deps.mailer.to(email).filter((m) => m.subject === LOCKOUT_SUBJECT);
}

describe('brute-force protection (flows)', () => {
  test('after the limit, sign-in answers 429 whatever the password, without verifying it', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    await fail(deps, 3, email);
    const verifies = deps.hasher.verifies;
    assert.deepEqual(await attempt(deps, email, PASSWORD), { code: 'too_many_attempts', retryAfter: 60 });
    assert.deepEqual(await attempt(deps, email, WRONG, '198.51.100.7'), { code: 'too_many_attempts', retryAfter: 60 });
    assert.deepEqual(await attempt(deps, email.toUpperCase(), '', null), { code: 'too_many_attempts', retryAfter: 60 });
    assert.equal(deps.hasher.verifies, verifies, 'no password verified during the lockout');
  });

  test('attempts during a lockout do not extend it', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    await fail(deps, 3, email);
    deps.clock.advance(30);
    assert.deepEqual(await attempt(deps, email, WRONG), { code: 'too_many_attempts', retryAfter: 30 });
    deps.clock.advance(29);
    assert.deepEqual(await attempt(deps, email, PASSWORD), { code: 'too_many_attempts', retryAfter: 1 });
    deps.clock.advance(1);
    assert.equal((await attempt(deps, email, PASSWORD)).code, 'ok');
  });

  test('the lockout lasts AUTH_LOCKOUT_SECONDS from the failure that reached the limit', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    await fail(deps, 2, email);
    deps.clock.advance(50);
    await fail(deps, 1, email); // the window began 50 s ago; the lockout begins now
    deps.clock.advance(59);
    assert.deepEqual(await attempt(deps, email, PASSWORD), { code: 'too_many_attempts', retryAfter: 1 });
    deps.clock.advance(1);
    assert.equal((await attempt(deps, email, PASSWORD)).code, 'ok');
  });

  test('failures further apart than the window do not add up', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    await fail(deps, 2, email);
    deps.clock.advance(60);
    await fail(deps, 2, email);
    assert.equal((await attempt(deps, email, PASSWORD)).code, 'ok');
  });

  test("a successful sign-in clears the email's counter but not the address's", async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    await fail(deps, 2, email, '203.0.113.5');
    assert.equal((await attempt(deps, email, PASSWORD, '203.0.113.5')).code, 'ok');
    assert.equal(deps.counters.byScope.has(emailScope(email)), false);
    assert.equal(deps.counters.byScope.get(ipScope('203.0.113.5'))?.count, 2);
    // Two more failures for the email (from elsewhere) do not reach the limit of three...
    await fail(deps, 2, email, '198.51.100.1');
    assert.equal((await attempt(deps, email, PASSWORD, '198.51.100.1')).code, 'ok');
    // ...while the address's third failure, for another email, locks the address out.
    await fail(deps, 1, 'someone-else@example.com', '203.0.113.5');
    assert.equal((await attempt(deps, email, PASSWORD, '203.0.113.5')).code, 'too_many_attempts');
  });

  test('failures are counted per source address across different emails', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    for (const other of ['a@example.com', 'b@example.com', 'c@example.com']) await fail(deps, 1, other, '192.0.2.44');
    assert.equal((await attempt(deps, email, PASSWORD, '192.0.2.44')).code, 'too_many_attempts');
    assert.equal((await attempt(deps, email, PASSWORD, '192.0.2.45')).code, 'ok');
  });

  test('unknown emails are counted and locked out like known ones, each failure costing one verification', async () => {
    const deps = await memoryDeps(SETTINGS);
    for (let i = 0; i < 3; i++) {
      const before = deps.hasher.verifies;
      await fail(deps, 1, 'nobody@example.com', `192.0.2.${i}`);
      assert.equal(deps.hasher.verifies - before, 1);
    }
    assert.deepEqual(await attempt(deps, 'nobody@example.com', WRONG, '192.0.2.99'), { code: 'too_many_attempts', retryAfter: 60 });
    assert.equal(deps.mailer.sent.length, 0);
  });

  test('the owner gets exactly one mail when a lockout starts, and one per later lockout', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    await fail(deps, 3, email);
    for (let i = 0; i < 5; i++) await attempt(deps, email, WRONG);
    const mails = lockoutMails(deps, email);
    assert.equal(mails.length, 1);
    assert.match(mails[0]?.text ?? '', /https:\/\/app\.test\/reset-password/);
    deps.clock.advance(60);
    await fail(deps, 3, email);
    assert.equal(lockoutMails(deps, email).length, 2);
  });

  test('a failing lockout mail does not change the answer or lift the lockout', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    deps.mailer.send = async () => {
      throw new Error('SES is down');
    };
    await fail(deps, 3, email);
    assert.equal((await attempt(deps, email, PASSWORD)).code, 'too_many_attempts');
    // The mailer fails in the mail sender, out of the request, which logs and drops the notice.
    assert.ok(deps.log.lines.some((l) => l.message === 'mail refused, dropped' && l.fields.template === 'lockedOut'));
  });

  test('a lockout notice that cannot be queued does not change the answer or lift the lockout', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    const commit = deps.store.commit.bind(deps.store);
    deps.store.commit = async (ops) => {
      if (ops.some((op) => op.type === 'enqueueMail')) throw new ServiceUnavailableError();
      return commit(ops);
    };
    await fail(deps, 3, email);
    assert.equal((await attempt(deps, email, PASSWORD)).code, 'too_many_attempts');
    assert.ok(deps.log.lines.some((l) => l.message === 'mail not queued' && l.fields.flow === 'session'));
  });

  test('clearFailedSignIns (as a password reset calls it) ends the email lockout', async () => {
    const deps = await memoryDeps(SETTINGS);
    const email = await confirmedUser(deps);
    await fail(deps, 3, email, null);
    assert.equal((await attempt(deps, email, PASSWORD, null)).code, 'too_many_attempts');
    await clearFailedSignIns(deps, 'ann@example.com');
    assert.equal((await attempt(deps, email, PASSWORD, null)).code, 'ok');
  });

  test('counters never hold an email in clear text', async () => {
    const deps = await memoryDeps(SETTINGS);
    await fail(deps, 1, 'Secret.Person@Example.com');
    const stored = JSON.stringify([...deps.counters.byScope.values()]);
    assert.doesNotMatch(stored, /secret\.person/i);
    assert.match(stored, /ip:203\.0\.113\.1/);
  });
});
