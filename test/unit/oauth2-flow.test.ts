/**
 * The hand-off's flows (docs/specs/hosted-ui.md §6) on both adapters: a code for a UI session,
 * its redemption into a session of the client (client, amr, authTime and rememberMe copied; the
 * events), and the redeem race: two redemptions that both read the code unredeemed and then
 * commit: exactly one wins, the other answers invalid_grant and revokes the session the winner
 * created (`oauth2.code_reused`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeHash as codeHashOf, type OAuth2Code } from '../../shared/domain/oauth2.js';
import type { User } from '../../shared/domain/types.js';
import { authorize, OAuth2Error, redeemCode } from '../../shared/flows/oauth2.js';
import { startSession } from '../../shared/flows/token-pair.js';
import { ADAPTERS } from '../support/audit.js';
import { aUser } from '../support/fixtures.js';
import { pkce, TEST_CLIENTS, WEB_REDIRECT } from '../support/hand-off.js';

const ENV = { AUTH_UI: 'true', AUTH_UI_CLIENTS: JSON.stringify(TEST_CLIENTS) };
const request = { ip: '192.0.2.1', userAgent: 'test' };

for (const [name, make] of ADAPTERS) {
  describe(`the hand-off flows: ${name}`, () => {
    async function setUp() {
      const adapter = await make(ENV);
      const { deps } = adapter;
      const user: User = aUser();
      await deps.store.commit([{ type: 'createUser', user }]);
      const { sessionId } = await startSession(deps, user, {
        rememberMe: true,
        request: { ...request, client: 'ui' },
        method: 'password',
        amr: ['pwd', 'otp'],
      });
      const session = await deps.store.getSession(user.id, sessionId);
      assert.ok(session);
      return { ...adapter, user, session };
    }
    const query = (challenge: string, extra: Record<string, string> = {}) => ({
      response_type: 'code',
      client_id: 'web',
      redirect_uri: WEB_REDIRECT,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'xyz',
      ...extra,
    });
    const client = TEST_CLIENTS[0] as (typeof TEST_CLIENTS)[0] & { type: 'public'; logoutUris: string[] };

    test('a code for the UI session redeems into a session of the client, with the events', async () => {
      const { deps, user, session, events } = await setUp();
      const { verifier, challenge } = pkce();
      const outcome = await authorize(deps, query(challenge), { userId: user.id, session }, request, '/oauth2/authorize');
      assert.equal(outcome.kind, 'redirect');
      const location = new URL((outcome as { location: string }).location);
      assert.equal(location.origin + location.pathname, WEB_REDIRECT);
      assert.equal(location.searchParams.get('state'), 'xyz');
      assert.equal(location.searchParams.get('iss'), deps.config.issuer);
      const code = location.searchParams.get('code') ?? '';
      const tokens = await redeemCode(deps, client, { code, redirect_uri: WEB_REDIRECT, code_verifier: verifier }, request);
      assert.equal(tokens.token_type, 'Bearer');
      const sessions = await deps.store.listSessions(user.id);
      const issued = sessions.find((s) => s.client === 'web');
      assert.ok(issued, 'a session of the client');
      assert.deepEqual(issued.amr, ['pwd', 'otp']);
      assert.equal(issued.authTime, session.authTime);
      assert.equal(issued.rememberMe, true);
      assert.equal(issued.uiHash, undefined);
      const all = await events();
      assert.ok(all.some((e) => e.type === 'oauth2.code_issued' && e.sessionId === session.id && e.details.clientId === 'web'));
      assert.ok(all.some((e) => e.type === 'sign_in' && e.sessionId === issued.id && e.details.method === 'oauth2:web'));
      assert.ok(!JSON.stringify(all).includes(code), 'the code never reaches an event');
    });

    test('two redemptions racing after both read the code unredeemed: one wins, the other is invalid_grant and revokes what the winner got', async () => {
      const { deps, user, session, events } = await setUp();
      const { verifier, challenge } = pkce();
      const outcome = await authorize(deps, query(challenge), { userId: user.id, session }, request, '/oauth2/authorize');
      const code = new URL((outcome as { location: string }).location).searchParams.get('code') ?? '';
      // A barrier on the code read: neither commits before both have read it unredeemed.
      let waiting = 0;
      let open: () => void = () => {};
      const barrier = new Promise<void>((resolve) => {
        open = resolve;
      });
      const read = deps.store.getOAuth2Code.bind(deps.store);
      let reads = 0;
      deps.store.getOAuth2Code = async (hash: string): Promise<OAuth2Code | undefined> => {
        const found = await read(hash);
        if (reads++ < 2) {
          waiting += 1;
          if (waiting === 2) open();
          await barrier;
        }
        return found;
      };
      const results = await Promise.allSettled([
        redeemCode(deps, client, { code, redirect_uri: WEB_REDIRECT, code_verifier: verifier }, request),
        redeemCode(deps, client, { code, redirect_uri: WEB_REDIRECT, code_verifier: verifier }, request),
      ]);
      assert.equal(waiting, 2, 'both redemptions read the code before either committed (the race happened)');
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(loser.reason instanceof OAuth2Error && loser.reason.error === 'invalid_grant');
      const stored = await read(codeHashOf(code));
      assert.ok(stored?.issuedSessionId);
      assert.equal(await deps.store.getSession(user.id, stored.issuedSessionId), undefined, 'the session the winner created is revoked');
      assert.ok((await events()).some((e) => e.type === 'oauth2.code_reused' && e.details.revokedSessionId === stored.issuedSessionId));
      assert.ok(await deps.store.getSession(user.id, session.id), 'the UI session stays');
    });
  });
}
