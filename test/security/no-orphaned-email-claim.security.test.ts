/**
 * Property: no email claim ever outlives its user. An account deletion releases the claim of
 * the email the user holds at the moment of the delete, in the same transaction, conditioned on
 * that email (`deleteAccount`): an email change confirmed between the delete's read and its
 * commit makes it read again, instead of releasing the old claim and orphaning the new one
 * (which would keep the address from ever registering again). Raced through the real routes
 * on DynamoDB Local: admin `DELETE /admin/users/{id}` against `POST /email-confirmation/{token}`.
 */
import assert from 'node:assert/strict';
import { after as afterAll, before, test } from 'node:test';
import { anAdmin, SEED_PASSWORD, seedUser, signInAs } from '../support/accounts.js';
import { lastLinkToken } from '../support/mail.js';
import { uniqueEmail } from '../support/services.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

const ROUNDS = 3;
const PAIRS = 10;

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
afterAll(async () => {
  await api.close();
});

interface PendingChange {
  userId: string;
  oldEmail: string;
  newEmail: string;
  link: string;
}

/** A user with an email change waiting for its confirmation link (through PATCH /me). */
async function pendingChange(): Promise<PendingChange> {
  const user = await seedUser(api);
  const { accessToken } = await signInAs(api, user);
  const newEmail = uniqueEmail('moved');
  const patched = await api.request('PATCH', '/me', { token: accessToken, body: { currentPassword: SEED_PASSWORD, email: newEmail } });
  assert.equal(patched.status, 200, patched.text);
  return { userId: user.id, oldEmail: user.email, newEmail, link: await lastLinkToken(newEmail, 'confirm-email') };
}

/** Runs `request` after `n` cheap requests one after the other: a head start for the other side, without timers. */
async function after(n: number, request: () => Promise<ApiResponse>): Promise<ApiResponse> {
  for (let i = 0; i < n; i++) await api.request('GET', '/.well-known/openid-configuration');
  return request();
}

/** Every claim in the table names a live user who holds exactly that email. */
async function assertEveryClaimHasItsUser(): Promise<void> {
  const items = await api.scan();
  const users = new Map(items.filter((i) => i.sk === 'PROFILE').map((i) => [String(i.id), i]));
  const claims = items.filter((i) => i.sk === 'CLAIM');
  assert.ok(claims.length > 0);
  for (const claim of claims) {
    const email = String(claim.pk).slice('EMAIL#'.length);
    const user = users.get(String(claim.userId));
    assert.ok(user, `the claim of ${email} points to no user`);
    assert.equal(user.emailCanonical, email, `the claim of ${email} points to a user holding another email`);
  }
}

test(`an admin delete racing the email-change confirmation never leaves an orphaned claim (${ROUNDS} rounds of ${PAIRS} concurrent pairs)`, async (t) => {
  const admin = await anAdmin(api);
  let confirmedFirst = 0;
  let deletedFirst = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const changes = await Promise.all(Array.from({ length: PAIRS }, () => pendingChange()));
    // All 2 × PAIRS requests at once. The delete takes more round trips than the confirmation
    // (it checks the admin, reads the partition, commits), so without a head start it always
    // loses; each pair staggers one side by a few cheap requests (real round trips, no timers),
    // from "the delete several requests ahead" to "the confirmation several requests ahead".
    const pairs = changes.map((change, i) => {
      const stagger = (i + round) % 7;
      const [deleteAhead, confirmAhead] = [Math.max(0, stagger - 2), Math.max(0, 2 - stagger)];
      const remove = after(confirmAhead, () => api.request('DELETE', `/admin/users/${change.userId}`, { token: admin.token }));
      const confirm = after(deleteAhead, () => api.request('POST', `/email-confirmation/${change.link}`));
      return Promise.all([remove, confirm]);
    });
    const outcomes = await Promise.all(pairs);

    for (const [removed, confirmed] of outcomes) {
      assert.ok(removed && confirmed);
      // The delete always goes through: a change that slipped in makes it read again.
      assert.equal(removed.status, 204, removed.text);
      if (confirmed.status === 200) confirmedFirst += 1;
      else {
        // The user (and the link with it) was gone by the time the confirmation committed.
        assert.equal(confirmed.status, 404, confirmed.text);
        assert.equal(confirmed.body.code, 'invalid_token');
        deletedFirst += 1;
      }
    }
    // The invariant: no claim without its user, and nothing left of the deleted users.
    await assertEveryClaimHasItsUser();
    const items = await api.scan();
    for (const change of changes) {
      assert.deepEqual(
        items.filter((i) => i.pk === `USER#${change.userId}`),
        [],
      );
      // Both addresses are free again: an admin create answers 422 for a taken email.
      for (const email of [change.oldEmail, change.newEmail]) {
        const created = await api.request('POST', '/admin/users', { token: admin.token, body: { email } });
        assert.equal(created.status, 201, `${email} cannot register again: ${created.text}`);
      }
    }
    await assertEveryClaimHasItsUser();
  }
  t.diagnostic(`${confirmedFirst} confirmations committed before their delete, ${deletedFirst} deletes before their confirmation`);
  // Both orders of the race happened (otherwise the test proved less than it claims).
  assert.ok(confirmedFirst > 0, 'no confirmation won');
  assert.ok(deletedFirst > 0, 'no delete won');
});
