/**
 * `npx tsx bench/mail-timing.ts`: wall-time medians over HTTP on the local stack (DynamoDB Local,
 * local SES) of the four enumeration-safe routes that mail, for a known vs an unknown address:
 * resend, invitations, registration and reset. Known and unknown requests alternate in the same
 * rounds, so the machine's load hits both alike. Run it on two checkouts to compare before and
 * after the outbox (the stack started here does not drain the outbox: on AWS the mail sender is
 * another function). Not a test: nothing asserts a time. `MAIL_TIMING_ROUNDS` (default 30).
 */
import { randomUUID } from 'node:crypto';
import { startDynamoDbLocal, startSesLocal } from '../infra/local/services.js';
import { startLocalStack } from '../infra/local/stack.js';

const PASSWORD = 'correct horse battery staple';
const ROUNDS = Number(process.env.MAIL_TIMING_ROUNDS ?? '30');
const email = (label: string) => `${label}-${randomUUID().slice(0, 8)}@example.com`;

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [dynamo, ses] = await Promise.all([startDynamoDbLocal(), startSesLocal()]);
  const api = await startLocalStack({
    port: 0,
    dynamoDbEndpoint: dynamo.url,
    sesEndpoint: ses.url,
    tableName: `mail-timing-${randomUUID().slice(0, 8)}`,
    // No cap in the way of repeated requests for one address; quiet logs.
    env: { AUTH_MAIL_RECIPIENT_LIMIT: '1000', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  const call = async (path: string, body: unknown, token?: string): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    await response.arrayBuffer();
    if (response.status >= 300 && !(response.status === 403 && path === '/session')) throw new Error(`${path}: ${response.status}`);
    return performance.now() - started;
  };
  try {
    // Fixtures: an unconfirmed account (resend, registration) and a confirmed, signed-in inviter
    // (also the known address of reset and invitations).
    const unconfirmed = email('known');
    await call('/registration', { email: unconfirmed, password: PASSWORD });
    const inviter = email('inviter');
    await call('/registration', { email: inviter, password: PASSWORD });
    const link = await lastLink(ses.url, inviter, api);
    await call(`/email-confirmation/${link}`, {});
    const session = await (
      await fetch(`${api.url}/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: inviter, password: PASSWORD }),
      })
    ).json();
    const token = (session as { accessToken: string }).accessToken;

    const cases: Array<{ name: string; known: () => Promise<number>; unknown: () => Promise<number> }> = [
      {
        name: 'POST /email-confirmation/resend',
        known: () => call('/email-confirmation/resend', { email: unconfirmed }),
        unknown: () => call('/email-confirmation/resend', { email: email('nobody') }),
      },
      {
        name: 'POST /password-reset',
        known: () => call('/password-reset', { email: inviter }),
        unknown: () => call('/password-reset', { email: email('nobody') }),
      },
      {
        name: 'POST /registration (taken vs new)',
        known: () => call('/registration', { email: unconfirmed, password: PASSWORD }),
        unknown: () => call('/registration', { email: email('new'), password: PASSWORD }),
      },
      {
        name: 'POST /invitations (has an account vs new)',
        known: () => call('/invitations', { email: inviter }, token),
        unknown: () => call('/invitations', { email: email('invitee') }, token),
      },
    ];
    console.log(`| route | known median | unknown median | difference |\n|---|---|---|---|`);
    for (const c of cases) {
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        known.push(await c.known());
        unknown.push(await c.unknown());
      }
      const [k, u] = [median(known), median(unknown)];
      console.log(`| ${c.name} | ${k.toFixed(1)} ms | ${u.toFixed(1)} ms | ${(k - u).toFixed(1)} ms |`);
    }
  } finally {
    await api.close();
    await Promise.all([dynamo.stop(), ses.stop()]);
  }
}

/** The last link of the confirmation mail to an address (drains the outbox first where there is one). */
async function lastLink(sesUrl: string, address: string, api: { outbox?: { drain(): Promise<unknown> } }): Promise<string> {
  await api.outbox?.drain();
  const data = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; body: { text?: string } }> };
  const mail = data.emails.filter((m) => m.destination.to.includes(address)).at(-1);
  const token = /\/confirm-email\/([A-Za-z0-9._~-]+)/.exec(mail?.body.text ?? '')?.[1];
  if (!token) throw new Error('no confirmation link');
  return token;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

await main();
