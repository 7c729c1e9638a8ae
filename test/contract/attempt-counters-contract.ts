import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AttemptCounters } from '../../shared/ports/attempt-counters.js';
import { aUser } from '../support/fixtures.js';

/**
 * The behaviour every {@link AttemptCounters} adapter must have: run against the in-memory twin
 * and against DynamoDB Local, so the fast one cannot drift from the real one.
 */
export function attemptCountersContract(name: string, makeCounters: () => Promise<AttemptCounters>): void {
  describe(`AttemptCounters contract: ${name}`, () => {
    const policy = (now: number, max = 3) => ({ now, windowSeconds: 60, max, lockoutSeconds: 60 });
    const scope = () => `email:${aUser().emailCanonical}`;

    test('failure counters: a window starts at the first failure, the limit starts a lockout once', async () => {
      const counters = await makeCounters();
      const s = scope();
      assert.deepEqual(await counters.getCounters([s], 1000), []);
      assert.deepEqual(await counters.recordFailure(s, policy(1000)), { count: 1, lockedUntil: null, justLocked: false });
      assert.deepEqual(await counters.recordFailure(s, policy(1010)), { count: 2, lockedUntil: null, justLocked: false });
      assert.deepEqual(await counters.recordFailure(s, policy(1020)), { count: 3, lockedUntil: 1080, justLocked: true });
      // Failures during the lockout (after the window ended at 1060) count but never move it.
      assert.deepEqual(await counters.recordFailure(s, policy(1070)), { count: 4, lockedUntil: 1080, justLocked: false });
      assert.deepEqual(await counters.getCounters([s], 1070), [{ scope: s, count: 4, windowEnds: 1060, lockedUntil: 1080 }]);
    });

    test('failure counters: a counter past its window and lockout is over on read and restarts on the next failure', async () => {
      const counters = await makeCounters();
      const [a, b] = [scope(), scope()];
      await counters.recordFailure(a, policy(1000));
      await counters.recordFailure(b, policy(1000, 1));
      // Expiry is checked on read (DynamoDB's TTL has not deleted these items yet).
      assert.equal((await counters.getCounters([a, b], 1059)).length, 2);
      assert.deepEqual(await counters.getCounters([a, b], 1060), []);
      assert.deepEqual(await counters.recordFailure(a, policy(1060)), { count: 1, lockedUntil: null, justLocked: false });
      assert.deepEqual(await counters.getCounters([a], 1060), [{ scope: a, count: 1, windowEnds: 1120, lockedUntil: null }]);
      // A lockout that ended starts over too, and the next lockout gets its own mail.
      assert.deepEqual(await counters.recordFailure(b, policy(1060, 1)), { count: 1, lockedUntil: 1120, justLocked: true });
    });

    test('10 concurrent failures are all counted, and exactly one of them starts the lockout', async () => {
      const counters = await makeCounters();
      const s = scope();
      const results = await Promise.all(Array.from({ length: 10 }, () => counters.recordFailure(s, policy(1000, 4))));
      assert.deepEqual(
        results.map((r) => r.count).sort((x, y) => x - y),
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      );
      assert.equal(results.filter((r) => r.justLocked).length, 1);
      const [counter] = await counters.getCounters([s], 1000);
      assert.equal(counter?.count, 10);
      assert.equal(counter?.lockedUntil, 1060);
    });

    test('10 concurrent failures on an expired counter restart it once and are all counted', async () => {
      const counters = await makeCounters();
      const s = scope();
      await counters.recordFailure(s, policy(1000, 100));
      await Promise.all(Array.from({ length: 10 }, () => counters.recordFailure(s, policy(2000, 100))));
      assert.deepEqual(await counters.getCounters([s], 2000), [{ scope: s, count: 10, windowEnds: 2060, lockedUntil: null }]);
    });

    test('clearCounter deletes one scope only, and is idempotent', async () => {
      const counters = await makeCounters();
      const [a, b] = [scope(), scope()];
      await counters.recordFailure(a, policy(1000));
      await counters.recordFailure(b, policy(1000));
      await counters.clearCounter(a);
      await counters.clearCounter(a);
      assert.deepEqual(
        (await counters.getCounters([a, b], 1000)).map((c) => c.scope),
        [b],
      );
    });

    test('reserveAttempt: at most max slots per window; a refusal writes nothing and names the full counter', async () => {
      const counters = await makeCounters();
      const s = scope();
      assert.deepEqual(await counters.reserveAttempt(s, policy(1000)), { granted: true, count: 1, windowEnds: 1060 });
      assert.deepEqual(await counters.reserveAttempt(s, policy(1010)), { granted: true, count: 2, windowEnds: 1060 });
      assert.deepEqual(await counters.reserveAttempt(s, policy(1020)), { granted: true, count: 3, windowEnds: 1060 });
      const full = { scope: s, count: 3, windowEnds: 1060, lockedUntil: null };
      assert.deepEqual(await counters.reserveAttempt(s, policy(1030)), { granted: false, counter: full });
      assert.deepEqual(await counters.getCounters([s], 1030), [full]);
      // After the window (no lockout was settled), a new window starts with this attempt.
      assert.deepEqual(await counters.reserveAttempt(s, policy(1060)), { granted: true, count: 1, windowEnds: 1120 });
    });

    test('30 concurrent reservations: exactly max are granted, in distinct slots', async () => {
      const counters = await makeCounters();
      const s = scope();
      const results = await Promise.all(Array.from({ length: 30 }, () => counters.reserveAttempt(s, policy(1000, 5))));
      const granted = results.flatMap((r) => (r.granted ? [r.count] : []));
      assert.deepEqual(
        granted.sort((x, y) => x - y),
        [1, 2, 3, 4, 5],
      );
      assert.equal((await counters.getCounters([s], 1000))[0]?.count, 5);
    });

    test('settleFailure: the failure holding the slot at the limit starts the lockout, once; a locked counter refuses reservations', async () => {
      const counters = await makeCounters();
      const s = scope();
      const slots = [];
      for (let i = 0; i < 3; i++) slots.push(await counters.reserveAttempt(s, policy(1000)));
      const [first, , last] = slots.map((r) => (r.granted ? r : assert.fail('not granted')));
      assert.deepEqual(await counters.settleFailure(s, first as { count: number; windowEnds: number }, policy(1001)), {
        count: 1,
        lockedUntil: null,
        justLocked: false,
      });
      const locking = await Promise.all(
        Array.from({ length: 5 }, () => counters.settleFailure(s, last as { count: number; windowEnds: number }, policy(1002))),
      );
      assert.equal(locking.filter((r) => r.justLocked).length, 1);
      assert.equal(locking.find((r) => r.justLocked)?.lockedUntil, 1062);
      // A slot given back after the lockout began does not open the door.
      await counters.releaseAttempt(s, { windowEnds: 1060 });
      const refused = await counters.reserveAttempt(s, policy(1003));
      assert.equal(refused.granted, false);
      assert.equal(refused.granted ? undefined : refused.counter.lockedUntil, 1062);
      // Past the window but within the lockout: still refused; after it, a new window.
      assert.equal((await counters.reserveAttempt(s, policy(1061))).granted, false);
      assert.deepEqual(await counters.reserveAttempt(s, policy(1062)), { granted: true, count: 1, windowEnds: 1122 });
    });

    test('releaseAttempt gives one slot back in its own window only, never below zero', async () => {
      const counters = await makeCounters();
      const s = scope();
      await counters.reserveAttempt(s, policy(1000));
      await counters.reserveAttempt(s, policy(1000));
      await counters.releaseAttempt(s, { windowEnds: 1060 });
      assert.equal((await counters.getCounters([s], 1000))[0]?.count, 1);
      await counters.releaseAttempt(s, { windowEnds: 9999 });
      assert.equal((await counters.getCounters([s], 1000))[0]?.count, 1, 'another window is not touched');
      await counters.releaseAttempt(s, { windowEnds: 1060 });
      await counters.releaseAttempt(s, { windowEnds: 1060 });
      assert.equal((await counters.getCounters([s], 1000))[0]?.count, 0);
      await counters.releaseAttempt(scope(), { windowEnds: 1060 }); // a missing counter: nothing happens
      // A slot at the limit released before the failures settle: no lockout at max - 1.
      const t = scope();
      const held = await Promise.all([1, 2, 3].map(() => counters.reserveAttempt(t, policy(1000))));
      const last = held.find((r) => r.granted && r.count === 3);
      await counters.releaseAttempt(t, { windowEnds: 1060 });
      assert.equal((await counters.settleFailure(t, last as { count: number; windowEnds: number }, policy(1000))).justLocked, false);
      assert.equal((await counters.getCounters([t], 1000))[0]?.lockedUntil, null);
    });
  });
}
