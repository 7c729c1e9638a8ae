/**
 * Property: a renewal token that was already spent revokes its session when presented again,
 * however many rotations ago it was spent, and also when it is spent by another request at the
 * same moment (two renewals racing with one token: at most one gets a pair, then the session
 * ends and the winner's new tokens die with it). Revoking takes a token the server really
 * issued: a forged secret, for the current generation or any other, is a plain 401.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { authorizerAllows, seedUser, signInAs } from '../support/accounts.js';
import { type ApiResponse, startTestStack, type TestStack } from '../support/stack.js';

let api: TestStack;

before(async () => {
  api = await startTestStack();
});
after(async () => {
  await api.close();
});

function renew(renewalToken: string): Promise<ApiResponse> {
  return api.request('POST', '/session/renew', { body: { renewalToken } });
}

function parts(renewalToken: string): { userId: string; sessionId: string; generation: number } {
  const [userId = '', sessionId = '', generation = ''] = renewalToken.split('.');
  return { userId, sessionId, generation: Number(generation) };
}

async function assertSessionRevoked(sessionId: string, userId: string, latest: { accessToken: string; renewalToken: string }): Promise<void> {
  assert.equal(await api.store.getSession(userId, sessionId), undefined);
  assert.equal(await authorizerAllows(api, latest.accessToken), false);
  assert.equal((await api.request('GET', '/me', { token: latest.accessToken })).body.code, 'unauthorized');
  assert.equal((await renew(latest.renewalToken)).body.code, 'unauthorized');
}

test('a renewal token spent 11 rotations ago revokes the session', async () => {
  const user = await seedUser(api);
  const pairs = [await signInAs(api, user)];
  for (let i = 0; i < 11; i++) {
    const renewed = await renew(pairs[pairs.length - 1]?.renewalToken ?? '');
    assert.equal(renewed.status, 200, renewed.text);
    pairs.push(renewed.body);
  }
  const first = pairs[0];
  const latest = pairs[pairs.length - 1];
  assert.ok(first && latest);
  assert.equal(parts(latest.renewalToken).generation, 11);
  assert.equal(await authorizerAllows(api, latest.accessToken), true);

  const reused = await renew(first.renewalToken);
  assert.equal(reused.status, 401);
  assert.equal(reused.body.code, 'unauthorized');
  await assertSessionRevoked(parts(first.renewalToken).sessionId, user.id, latest);
});

test('a forged secret (current, earlier or future generation) is a plain 401 and revokes nothing', async () => {
  const user = await seedUser(api);
  let pair = await signInAs(api, user);
  for (let i = 0; i < 2; i++) pair = (await renew(pair.renewalToken)).body;
  const { userId, sessionId, generation } = parts(pair.renewalToken);
  assert.equal(generation, 2);
  const realSecret = pair.renewalToken.split('.')[3] ?? '';
  const forgedSecret = () => randomBytes(64).toString('base64url').slice(0, 86);
  const forgeries = [
    `${userId}.${sessionId}.2.${forgedSecret()}`, // the current generation, a wrong secret
    `${userId}.${sessionId}.1.${forgedSecret()}`, // an earlier generation, a secret never issued
    `${userId}.${sessionId}.0.${forgedSecret()}`,
    `${userId}.${sessionId}.1.${realSecret}`, // the real random part and MAC, moved to another generation
    `${userId}.${sessionId}.3.${forgedSecret()}`, // a generation not reached yet
    `${userId}.${sessionId}.02.${realSecret}`, // another spelling of the current generation
  ];
  for (const forged of forgeries) {
    const response = await renew(forged);
    assert.equal(response.status, 401, forged);
    assert.equal(response.body.code, 'unauthorized');
  }
  // Nothing was revoked: the session and its tokens still work, and the real token renews.
  assert.ok(await api.store.getSession(userId, sessionId));
  assert.equal(await authorizerAllows(api, pair.accessToken), true);
  assert.equal((await renew(pair.renewalToken)).status, 200);
});

test('12 concurrent renewals with one token: at most one pair, then the session is revoked and the winner’s tokens are dead', async (t) => {
  const ROUNDS = 4;
  let winners = 0;
  let losers = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const user = await seedUser(api);
    // A few rotations first, so the raced token is not the session's first one.
    let pair = await signInAs(api, user);
    for (let i = 0; i < round; i++) pair = (await renew(pair.renewalToken)).body;
    const { sessionId } = parts(pair.renewalToken);

    let sent = 0;
    let sentBeforeFirstAnswer = -1;
    const burst = Array.from({ length: 12 }, () => {
      sent += 1;
      return renew(pair.renewalToken).then((response) => {
        if (sentBeforeFirstAnswer < 0) sentBeforeFirstAnswer = sent;
        return response;
      });
    });
    const responses = await Promise.all(burst);
    // The requests overlapped: every one was sent before the first answer came back.
    assert.equal(sentBeforeFirstAnswer, 12);

    const won = responses.filter((r) => r.status === 200);
    assert.ok(won.length <= 1, `${won.length} pairs from one renewal token`);
    for (const response of responses.filter((r) => r.status !== 200)) {
      assert.equal(response.status, 401, response.text);
      assert.equal(response.body.code, 'unauthorized');
    }
    winners += won.length;
    losers += responses.length - won.length;

    // The session is revoked: the raced token, and the winner's new pair, are all dead.
    const winner = won[0]?.body ?? pair;
    await assertSessionRevoked(sessionId, user.id, winner);
    assert.equal(await authorizerAllows(api, pair.accessToken), false);
  }
  t.diagnostic(`${winners} winners and ${losers} losers over ${ROUNDS} bursts`);
  // Both outcomes were observed, so the requests really raced for the one token.
  assert.ok(winners > 0, 'no renewal won');
  assert.ok(losers > 0, 'no renewal lost');
});
