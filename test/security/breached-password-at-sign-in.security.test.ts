/**
 * "A breached password at sign-in mails its owner once, also under concurrency" (`notify`); "block
 * answers password_compromised, mails a reset link and creates no session"
 * (docs/specs/audit-and-breached-passwords.md §8, §11.1 item 11). Through the HTTP routes on
 * DynamoDB Local. The breached passwords are put straight into the store, as a password set
 * before a list update (or an imported legacy hash) would be: the routes would refuse them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { commonPasswordsFile, loadCommonPasswords } from '../../shared/adapters/breached-passwords/common.js';
import { Argon2Hasher } from '../../shared/adapters/crypto/argon2-hasher.js';
import { DynamoDbAuditLog } from '../../shared/adapters/dynamodb/audit-log.js';
import { auditTableNameOf } from '../../shared/adapters/dynamodb/audit-table.js';
import type { AuditEvent } from '../../shared/domain/audit.js';
import type { User } from '../../shared/domain/types.js';
import { createDocumentClient, getDeps } from '../../shared/runtime/lambda-deps.js';
import { assertProblem, PASSWORD, partitionOf } from '../support/accounts.js';
import { aUser } from '../support/fixtures.js';
import { lastLinkToken, mailsTo } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

/** In SecLists' top 1M (the artefact), not in the common list. */
const BREACHED = 'liverpool1892';
/** In the common list. */
const COMMON = 'password1';
const NOTICE_SUBJECT = 'Your password has appeared in a data breach';
const RESET_SUBJECT = 'Reset your password';
const CONCURRENT = 10;
const MAX_FAILED = 12;
const MAIL_LIMIT = 3;

let api: TestStack;
let audit: DynamoDbAuditLog;
const hasher = new Argon2Hasher();

before(async () => {
  api = await startTestStack({ AUTH_MAX_FAILED_SIGN_INS: String(MAX_FAILED), AUTH_MAIL_RECIPIENT_LIMIT: String(MAIL_LIMIT) });
  audit = new DynamoDbAuditLog(createDocumentClient(process.env), auditTableNameOf(api.tableName));
  // The premise: one password per list, and the lists tell them apart.
  const common = loadCommonPasswords(commonPasswordsFile({}));
  assert.equal(common.has(BREACHED), false);
  assert.equal(common.has(COMMON), true);
});
after(async () => {
  await api.close();
});

/** A confirmed user whose password was set without the routes' checks. */
async function userWithPassword(password: string): Promise<User> {
  const email = uniqueEmail('breached');
  const user = aUser({ email, emailCanonical: email.toLowerCase(), passwordHash: await hasher.hash(password) });
  await api.store.commit([{ type: 'createUser', user }]);
  return user;
}

function signIn(user: Pick<User, 'email'>, password: string): Promise<ApiResponse> {
  return api.request('POST', '/session', { body: { email: user.email, password } });
}

async function noticesTo(email: string) {
  return (await mailsTo(email)).filter((m) => m.subject === NOTICE_SUBJECT);
}

async function breachEvents(userId: string): Promise<AuditEvent[]> {
  const page = await audit.query({ partition: { kind: 'user', userId }, limit: 100 });
  return page.events.filter((e) => e.type === 'password.breached_on_sign_in');
}

/** Sets the mode the functions of this process use (their config is loaded once, as on Lambda). */
function setMode(mode: 'notify' | 'block' | 'off'): void {
  getDeps().config.breachedPasswordOnSignIn = mode;
}

test('A breached password at sign-in mails its owner once, also under concurrency', async () => {
  setMode('notify');
  const user = await userWithPassword(BREACHED);

  // Concurrent sign-ins: every one succeeds with the warning; exactly one notice goes out.
  const answers = await Promise.all(Array.from({ length: CONCURRENT }, () => signIn(user, BREACHED)));
  for (const answer of answers) {
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body.warnings, ['password_compromised']);
    assert.equal(answer.body.user.breachNoticeHash, undefined, 'the notice hash never leaves the store');
  }
  const notices = await noticesTo(user.email);
  assert.equal(notices.length, 1, `${notices.length} notices`);
  assert.match(notices[0]?.text ?? '', /Nothing else is known/);
  assert.doesNotMatch(JSON.stringify(notices), new RegExp(BREACHED), 'the mail never quotes the password');
  const events = await breachEvents(user.id);
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]?.details, { action: 'notify' });
  assert.equal(events[0]?.userId, user.id);
  assert.doesNotMatch(JSON.stringify(events), new RegExp(BREACHED));

  // Later sign-ins with the same password keep the warning and mail nothing.
  const again = await signIn(user, BREACHED);
  assert.equal(again.status, 200);
  assert.deepEqual(again.body.warnings, ['password_compromised']);
  assert.equal((await noticesTo(user.email)).length, 1);

  // A new password that is breached too (here: in the common list) is noticed again, once.
  await api.store.commit([{ type: 'updateUser', id: user.id, set: { passwordHash: await hasher.hash(COMMON) }, bumpEpoch: true }]);
  const second = await Promise.all([signIn(user, COMMON), signIn(user, COMMON), signIn(user, COMMON)]);
  for (const answer of second) assert.deepEqual(answer.body.warnings, ['password_compromised'], answer.text);
  assert.equal((await noticesTo(user.email)).length, 2);
  assert.equal((await breachEvents(user.id)).length, 2);

  // A password in neither list: no warnings member at all, no notice.
  await api.store.commit([{ type: 'updateUser', id: user.id, set: { passwordHash: await hasher.hash(PASSWORD) }, bumpEpoch: true }]);
  const clean = await signIn(user, PASSWORD);
  assert.equal(clean.status, 200);
  assert.equal('warnings' in clean.body, false);
  assert.equal((await noticesTo(user.email)).length, 2);

  // `off`: no check at all.
  setMode('off');
  const other = await userWithPassword(BREACHED);
  const unchecked = await signIn(other, BREACHED);
  assert.equal(unchecked.status, 200);
  assert.equal('warnings' in unchecked.body, false);
  assert.equal((await noticesTo(other.email)).length, 0);
  assert.equal((await breachEvents(other.id)).length, 0);
  setMode('notify');
});

test('block answers password_compromised, mails a reset link and creates no session', async () => {
  setMode('block');
  try {
    const user = await userWithPassword(BREACHED);
    // An earlier reset link, which the block's new link replaces.
    assert.equal((await api.request('POST', '/password-reset', { body: { email: user.email } })).status, 202);
    const older = await lastLinkToken(user.email, 'reset-password');

    const refused = await signIn(user, BREACHED);
    assertProblem(refused, 403, 'password_compromised');
    assert.equal(refused.body.detail, "Your password has appeared in a data breach. We've sent you an e-mail to choose a new one.");
    assert.equal(refused.body.accessToken, undefined);

    // No session, no notice mail; a reset mail with a new link, and the old link is dead.
    assert.deepEqual(
      (await partitionOf(api, user.id)).filter((item) => String(item.sk).startsWith('SESSION#')),
      [],
    );
    assert.equal((await noticesTo(user.email)).length, 0);
    const fresh = await lastLinkToken(user.email, 'reset-password');
    assert.notEqual(fresh, older);
    assertProblem(await api.request('GET', `/password-reset/${older}`), 404, 'invalid_token');
    assert.equal((await api.request('GET', `/password-reset/${fresh}`)).status, 200);
    const events = await breachEvents(user.id);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]?.details, { action: 'block' });

    // Not a failed sign-in: more blocked attempts than the lockout allows never reach 429; the
    // reset mails stop at the recipient's cap (the last link stays valid), each attempt is recorded.
    for (let i = 0; i < MAX_FAILED + 1; i++) assertProblem(await signIn(user, BREACHED), 403, 'password_compromised');
    const resets = (await mailsTo(user.email)).filter((m) => m.subject === RESET_SUBJECT);
    assert.equal(resets.length, MAIL_LIMIT, `${resets.length} reset mails`);
    assert.equal((await breachEvents(user.id)).length, MAX_FAILED + 2);
    const last = await lastLinkToken(user.email, 'reset-password');
    assert.equal((await api.request('GET', `/password-reset/${last}`)).status, 200);
    assert.deepEqual(
      (await partitionOf(api, user.id)).filter((item) => String(item.sk).startsWith('SESSION#')),
      [],
    );

    // A wrong password still gets the generic answer, and counts.
    assertProblem(await signIn(user, 'not the password at all'), 401, 'invalid_credentials');

    // The link sets a new password; with it the user signs in normally.
    assert.equal((await api.request('POST', `/password-reset/${last}`, { body: { password: PASSWORD } })).status, 200);
    const signedIn = await signIn(user, PASSWORD);
    assert.equal(signedIn.status, 200, signedIn.text);
    assert.equal('warnings' in signedIn.body, false);
  } finally {
    setMode('notify');
  }
});
