import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError } from '../../shared/domain/errors.js';
import type { Passkey, WebauthnBinding } from '../../shared/domain/passkeys.js';
import type { WriteOp } from '../../shared/ports/store.js';
import { aUser } from '../support/fixtures.js';
import type { MakeStore } from './store-contract.js';

/**
 * The passkey writes of the store port (`docs/specs/mfa-and-passkeys.md` §12) on every adapter:
 * challenges spent once under their binding, a credential id claimed by one user, counters moved
 * from the value read, the profile's counters and guards (the cap, the last sign-in method, a
 * derived `signInMethods` on items written before it existed), and their conflict reasons.
 */
async function conflict(promise: Promise<unknown>, reason: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof ConflictError && error.reason === reason);
}

let sequence = 0;
function aPasskey(userId: string, overrides: Partial<Passkey> = {}): Passkey {
  sequence += 1;
  return {
    userId,
    id: `cred${sequence}${Math.random().toString(36).slice(2, 10)}`,
    publicKey: 'pk',
    counter: 0,
    transports: ['internal'],
    deviceType: 'singleDevice',
    backedUp: false,
    discoverable: true,
    aaguid: '00000000-0000-0000-0000-000000000000',
    name: 'Passkey',
    createdAt: new Date(Date.parse('2026-01-01T00:00:00Z') + sequence * 1000).toISOString(),
    lastUsedAt: null,
    ...overrides,
  };
}

export function passkeyStoreContract(name: string, makeStore: MakeStore): void {
  describe(`AuthStore passkey contract: ${name}`, () => {
    test('a WebAuthn challenge is spent once, only unexpired and with its own ceremony, purpose and binding (token_mismatch)', async () => {
      const store = await makeStore();
      const now = Math.floor(Date.now() / 1000);
      const binding: WebauthnBinding = { ceremony: 'create', purpose: 'add', userId: 'u1', sessionId: 's1' };
      await store.commit([{ type: 'putWebauthnChallenge', challenge: { hash: 'h1', ...binding, expiresAt: now + 300 } }]);
      await conflict(store.commit([{ type: 'putWebauthnChallenge', challenge: { hash: 'h1', ...binding, expiresAt: now + 300 } }]), 'token_mismatch');
      const consume = (b: WebauthnBinding, at = now): WriteOp => ({ type: 'consumeWebauthnChallenge', hash: 'h1', binding: b, now: at });
      await conflict(store.commit([consume({ ...binding, ceremony: 'get' })]), 'token_mismatch');
      await conflict(store.commit([consume({ ...binding, purpose: 'reauth' })]), 'token_mismatch');
      await conflict(store.commit([consume({ ...binding, sessionId: 's2' })]), 'token_mismatch');
      await conflict(store.commit([consume({ ceremony: 'create', purpose: 'add', userId: 'u1' })]), 'token_mismatch');
      await conflict(store.commit([consume(binding, now + 300)]), 'token_mismatch');
      const raced = await Promise.allSettled([store.commit([consume(binding)]), store.commit([consume(binding)])]);
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
      await conflict(store.commit([consume(binding)]), 'token_mismatch');
      // A sign-in challenge has no binding: one with a user is not it.
      await store.commit([{ type: 'putWebauthnChallenge', challenge: { hash: 'h2', ceremony: 'get', purpose: 'sign_in', expiresAt: now + 300 } }]);
      await conflict(
        store.commit([{ type: 'consumeWebauthnChallenge', hash: 'h2', binding: { ceremony: 'get', purpose: 'sign_in', userId: 'u1' }, now }]),
        'token_mismatch',
      );
      await store.commit([{ type: 'consumeWebauthnChallenge', hash: 'h2', binding: { ceremony: 'get', purpose: 'sign_in' }, now }]);
    });

    test('a credential id is claimed by one user (credential_taken), also by two racing registrations; deleting releases it', async () => {
      const store = await makeStore();
      const a = aUser();
      const b = aUser();
      await store.commit([
        { type: 'createUser', user: a },
        { type: 'createUser', user: b },
      ]);
      const passkey = aPasskey(a.id);
      const raced = await Promise.allSettled([
        store.commit([{ type: 'putPasskey', passkey }]),
        store.commit([{ type: 'putPasskey', passkey: { ...passkey, userId: b.id } }]),
      ]);
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
      const rejected = raced.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.equal((rejected.reason as ConflictError).reason, 'credential_taken');
      const owner = (await store.getPasskey(a.id, passkey.id)) ? a.id : b.id;
      await conflict(store.commit([{ type: 'putPasskey', passkey: { ...passkey, userId: owner } }]), 'credential_taken');
      assert.deepEqual(await store.getPasskey(owner, passkey.id), { ...passkey, userId: owner });
      assert.equal((await store.listPasskeys(owner)).length, 1);
      assert.equal((await store.listUserItems(owner)).passkeys?.length, 1);
      await store.commit([{ type: 'deletePasskey', userId: owner, id: passkey.id }]);
      await conflict(store.commit([{ type: 'deletePasskey', userId: owner, id: passkey.id }]), 'not_found');
      await store.commit([{ type: 'putPasskey', passkey: { ...passkey, userId: b.id === owner ? a.id : b.id } }]);
    });

    test('a passkey update moves the counter only from the value read and only while enabled (token_mismatch; not_found when gone)', async () => {
      const store = await makeStore();
      const user = aUser();
      const passkey = aPasskey(user.id, { counter: 3 });
      await store.commit([
        { type: 'createUser', user },
        { type: 'putPasskey', passkey },
      ]);
      const move = (from: number, to: number): WriteOp => ({
        type: 'updatePasskey',
        userId: user.id,
        id: passkey.id,
        ifCounter: from,
        ifEnabled: true,
        set: { counter: to },
      });
      const raced = await Promise.allSettled([store.commit([move(3, 4)]), store.commit([move(3, 5)])]);
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
      const counter = (await store.getPasskey(user.id, passkey.id))?.counter as number;
      await conflict(store.commit([move(3, 9)]), 'token_mismatch');
      await store.commit([{ type: 'updatePasskey', userId: user.id, id: passkey.id, ifCounter: counter, set: { disabledAt: '2026-01-01T00:00:00.000Z' } }]);
      await conflict(store.commit([move(counter, counter + 1)]), 'token_mismatch');
      await store.commit([{ type: 'updatePasskey', userId: user.id, id: passkey.id, set: { name: 'Renamed' } }]);
      assert.equal((await store.getPasskey(user.id, passkey.id))?.name, 'Renamed');
      await conflict(store.commit([{ type: 'updatePasskey', userId: user.id, id: 'nope', set: { name: 'x' } }]), 'not_found');
    });

    test('profile counters: the passkey cap, the exact count, and never below one sign-in method (user_changed), from a derived count on old items', async () => {
      const store = await makeStore();
      const user = aUser({ passwordHash: 'h' });
      await store.commit([{ type: 'createUser', user }]);
      const add = (derived: number): WriteOp => ({
        type: 'updateUser',
        id: user.id,
        guard: { passkeyCountBelow: 2 },
        adjust: { passkeyCount: 1, signInMethods: { delta: 1, derived } },
      });
      // An item without signInMethods starts from the derived count (the password: 1).
      await store.commit([add(1)]);
      let read = await store.getUser(user.id);
      assert.equal(read?.passkeyCount, 1);
      assert.equal(read?.signInMethods, 2);
      await store.commit([add(1)]);
      await conflict(store.commit([add(1)]), 'user_changed');
      read = await store.getUser(user.id);
      assert.equal(read?.passkeyCount, 2);
      assert.equal(read?.signInMethods, 3);
      await conflict(store.commit([{ type: 'checkUser', id: user.id, guard: { passkeyCount: 1 } }]), 'user_changed');
      await store.commit([{ type: 'checkUser', id: user.id, guard: { passkeyCount: 2 } }]);
      // Two removals racing for the last two methods (3 → 1 allowed once each above 1).
      const remove: WriteOp = {
        type: 'updateUser',
        id: user.id,
        guard: { signInMethodsAbove: { min: 1, derived: 1 } },
        adjust: { signInMethods: { delta: -1, derived: 1 } },
      };
      await store.commit([remove]);
      const raced = await Promise.allSettled([store.commit([remove]), store.commit([remove])]);
      assert.equal(raced.filter((r) => r.status === 'fulfilled').length, 1);
      assert.equal((await store.getUser(user.id))?.signInMethods, 1);
      // An old item with only a password (derived 1): the last method stays.
      const old = aUser({ passwordHash: 'h' });
      await store.commit([{ type: 'createUser', user: old }]);
      await conflict(
        store.commit([
          { type: 'updateUser', id: old.id, guard: { signInMethodsAbove: { min: 1, derived: 1 } }, adjust: { signInMethods: { delta: -1, derived: 1 } } },
        ]),
        'user_changed',
      );
      await store.commit([{ type: 'checkUser', id: old.id, guard: { passkeyCount: 0 } }]);
    });
  });
}
