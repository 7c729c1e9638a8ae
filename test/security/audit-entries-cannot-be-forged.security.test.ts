/**
 * An audit entry cannot be forged through input (spec §2, §11.1 #5; ASVS 16.4.1): CRLF, JSON
 * fragments and markup in the user agent and the email stay data, in the stored item (memory and
 * DynamoDB Local) and in the mirror's log line (what the Powertools logger writes). Each request
 * writes exactly its own events, each log line is one JSON object whose `audit` member is the
 * stored event, the user agent comes back byte for byte (cut at 256 characters), and an address
 * only ever appears as its hash.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AuditEvent, MAX_AUDIT_STRING } from '../../shared/domain/audit.js';
import { canonicalEmailOf } from '../../shared/domain/email.js';
import { withAuditMirror } from '../../shared/flows/audit.js';
import { signIn } from '../../shared/flows/current-session.js';
import type { RequestInfo } from '../../shared/flows/deps.js';
import { requestPasswordReset } from '../../shared/flows/password-reset.js';
import { register } from '../../shared/flows/registration.js';
import { createLog } from '../../shared/runtime/logger.js';
import { ADAPTERS, type AdapterDeps } from '../support/audit.js';
import { aUser } from '../support/fixtures.js';

const FORGED = '{"audit":{"type":"admin.user_deleted","userId":"00000000-0000-0000-0000-000000000000","outcome":"success"}}';
const USER_AGENTS = [
  `Mozilla/5.0\r\n${FORGED}\r\n`,
  `ok"}, "type": "admin.locked", "actor": {"kind": "operator"}, "x": {"`,
  '<script>alert(1)</script><img src=x onerror="alert(2)">',
  `\u2028\u2029\u0000${'\\n'.repeat(10)}${'é'.repeat(300)}`,
];
const EMAILS = [
  `victim@example.com\r\n${FORGED}`,
  '"},"type":"admin.locked","x":"@example.com',
  '<b onmouseover=alert(1)>x</b>@example.com',
  'forged@example.com',
];
const PASSWORD = 'correct horse battery staple';

/** Powertools' lines on stdout while the test runs (one `write` per line). */
const lines: string[] = [];
let restore: () => void = () => undefined;

before(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{') && text.includes('"audit"')) {
      lines.push(text);
      return true;
    }
    return (write as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  restore = () => {
    process.stdout.write = write;
  };
});
after(() => restore());

/** The adapter's deps, logging through Powertools as on Lambda (the mirror's real line). */
async function withPowertools(adapterOf: (typeof ADAPTERS)[number][1]): Promise<AdapterDeps> {
  const adapter = await adapterOf();
  const log = createLog('latch-forgery');
  adapter.deps.store = withAuditMirror(adapter.inner, log);
  adapter.deps.log = Object.assign(log, { lines: [] }) as unknown as AdapterDeps['deps']['log'];
  return adapter;
}

for (const [name, adapterOf] of ADAPTERS) {
  describe(`An audit entry cannot be forged through input (${name})`, () => {
    test('CRLF, JSON fragments and markup in the user agent and the email stay data in the item and the log line', async () => {
      const adapter = await withPowertools(adapterOf);
      const { deps } = adapter;
      const user = aUser({ passwordHash: await deps.hasher.hash(PASSWORD) });
      await adapter.inner.commit([{ type: 'createUser', user }]);
      const linesBefore = lines.length;
      // Each request's events are found by its request id; a reset of a malformed address is a 422 without one.
      const requests: Array<RequestInfo & { audited: boolean }> = [];
      let k = 0;
      const request = (userAgent: string, audited = true): RequestInfo => {
        k += 1;
        const info = { ip: `203.0.113.${k}`, userAgent, requestId: `forgery-${k}`, audited };
        requests.push(info);
        return info;
      };
      for (const userAgent of USER_AGENTS) {
        await signIn(deps, { email: user.email, password: PASSWORD }, request(userAgent));
        await assert.rejects(signIn(deps, { email: user.email, password: `${userAgent}x` }, request(userAgent)));
        for (const email of EMAILS) {
          await assert.rejects(signIn(deps, { email, password: userAgent }, request(userAgent)));
          await requestPasswordReset(deps, { email }, request(userAgent, canonicalEmailOf(email) !== undefined)).catch(() => undefined);
        }
        await register(deps, { email: `new-${k}@example.com`, password: PASSWORD, passwordConfirmation: PASSWORD }, request(userAgent));
      }

      const events = await adapter.events();
      const byRequest = new Map(requests.map((r): [string, AuditEvent[]] => [r.requestId as string, []]));
      for (const event of events) if (event.requestId) byRequest.get(event.requestId)?.push(event);
      // Nothing was made up: no admin or operator event, no event without its request.
      assert.deepEqual(
        events.filter((e) => e.type.startsWith('admin.') || e.actor.kind === 'operator'),
        [],
      );
      for (const info of requests) {
        const mine = byRequest.get(info.requestId as string) ?? [];
        assert.ok(info.audited ? mine.length >= 1 && mine.length <= 2 : mine.length === 0, `${info.requestId}: ${mine.length} events`);
        for (const event of mine) {
          // Stored as data: the very string (cut), never parsed into fields.
          assert.equal(
            event.userAgent,
            Array.from(info.userAgent as string)
              .slice(0, MAX_AUDIT_STRING)
              .join(''),
          );
          assert.ok(['sign_in', 'password.reset_requested', 'registration'].includes(event.type), event.type);
        }
      }
      const stored = JSON.stringify(events);
      for (const email of EMAILS) assert.ok(!stored.includes(email), 'an address was stored');
      assert.ok(!stored.includes('victim@example.com'));

      // The mirror: one JSON object per line, its `audit` member the stored event, nothing else.
      const mirrored = lines.slice(linesBefore);
      assert.equal(mirrored.length, events.length);
      const stored_ = new Map(events.map((e) => [e.id, e]));
      for (const line of mirrored) {
        assert.equal(line.indexOf('\n'), line.length - 1, 'a raw line break inside a log line');
        assert.ok(!line.includes('\r'), 'a raw carriage return inside a log line');
        const parsed = JSON.parse(line) as { audit: AuditEvent; message: string };
        assert.equal(parsed.message, 'audit');
        const event = stored_.get(parsed.audit.id);
        assert.ok(event, 'a log line for an event that was not stored');
        assert.deepEqual(parsed.audit, event);
      }
    });
  });
}
