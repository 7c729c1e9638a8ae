/**
 * Spec §11.1 property 6, on the local stack: `/me/activity` answers the caller's own events and
 * nothing else (not another user's, not through another user's cursor, not an address's
 * `emailHash`); the admin audit routes refuse every non-admin, and each refusal leaves an
 * `authz.denied` event under the caller.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { anAdmin, assertProblem, seedUser, signInAs } from '../support/accounts.js';
import { anAuditEvent, minutesAgo, seedAuditEvents, stackEmailHash } from '../support/audit-events.js';
import { startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

test("/me/activity shows only the caller's events; /admin/audit is admin-only and its refusals are audited", async (t) => {
  const [ann, bob] = [await seedUser(api), await seedUser(api)];
  // Both have a page and more of events, Bob's interleaved with Ann's and one naming Ann's address.
  const events = [];
  for (let i = 0; i < 6; i++) {
    events.push(anAuditEvent({ userId: ann.id, at: minutesAgo(60 - 2 * i), sessionId: `ann-${i}` }));
    events.push(anAuditEvent({ userId: bob.id, at: minutesAgo(59 - 2 * i), sessionId: `bob-${i}`, emailHash: stackEmailHash(ann.emailCanonical) }));
  }
  events.push(anAuditEvent({ userId: null, at: minutesAgo(1), emailHash: stackEmailHash(ann.emailCanonical), type: 'password.reset_requested', details: {} }));
  await seedAuditEvents(api.store, events);
  const annToken = (await signInAs(api, ann)).accessToken;
  const bobToken = (await signInAs(api, bob)).accessToken;

  await t.test("the caller's own events only, on every page", async () => {
    for (const [user, token] of [
      [ann, annToken],
      [bob, bobToken],
    ] as const) {
      const seen: Array<Record<string, unknown>> = [];
      let cursor: string | null = null;
      do {
        const response = await api.request('GET', `/me/activity?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
        assert.equal(response.status, 200, response.text);
        seen.push(...response.body.events);
        cursor = response.body.nextCursor;
      } while (cursor);
      // The six seeded, and the sign-in that made the token.
      assert.equal(seen.length, 7);
      assert.equal(seen.filter((event) => String(event.sessionId).startsWith(user === ann ? 'ann-' : 'bob-')).length, 6);
      assert.ok(seen.every((event) => event.userId === user.id && !('emailHash' in event)));
    }
  });

  await t.test("another user's cursor reads nothing of theirs", async () => {
    const bobPage = await api.request('GET', '/me/activity?limit=1', { token: bobToken });
    const cursor = bobPage.body.nextCursor as string;
    assert.ok(cursor);
    const response = await api.request('GET', `/me/activity?cursor=${cursor}`, { token: annToken });
    if (response.status === 200) assert.ok(response.body.events.every((event: { userId: string }) => event.userId === ann.id));
    else assertProblem(response, 422, 'validation_failed');
  });

  await t.test('the admin routes: 401 without a token, 403 forbidden to a non-admin, 200 to an admin', async () => {
    const paths = ['/admin/audit', `/admin/audit?userId=${bob.id}`, `/admin/audit?email=${encodeURIComponent(bob.email)}`, `/admin/users/${bob.id}/audit`];
    for (const path of paths) {
      assertProblem(await api.request('GET', path), 401, 'unauthorized');
      assertProblem(await api.request('GET', path, { token: annToken }), 403, 'forbidden');
    }
    const admin = await anAdmin(api);
    for (const path of paths) assert.equal((await api.request('GET', path, { token: admin.token })).status, 200, path);
  });

  // Checked through the admin route, which reads the audit table.
  await t.test('each refusal is an authz.denied event under the caller, naming the route', async () => {
    const caller = await seedUser(api);
    const token = (await signInAs(api, caller)).accessToken;
    assertProblem(await api.request('GET', '/admin/audit', { token }), 403, 'forbidden');
    assertProblem(await api.request('GET', `/admin/users/${bob.id}/audit`, { token }), 403, 'forbidden');
    const admin = await anAdmin(api);
    const response = await api.request('GET', `/admin/users/${caller.id}/audit?type=authz.denied`, { token: admin.token });
    assert.equal(response.status, 200, response.text);
    const denied = response.body.events as Array<{ userId: string; details: { route?: string } }>;
    assert.deepEqual(denied.map((event) => event.details.route).sort(), ['GET /admin/audit', 'GET /admin/users/{id}/audit']);
    assert.ok(denied.every((event) => event.userId === caller.id));
  });
});
