/**
 * Identity confusion over HTTP (local runner, DynamoDB Local, local SES): lookalike emails,
 * link-poisoning headers and parameter pollution. Mail is read from local SES's store, so what
 * is checked is what would really have been sent.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { canonicalizeEmail } from '../../shared/domain/email.js';
import { lastLinkToken } from '../support/mail.js';
import { testServices, uniqueEmail } from '../support/services.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const APP_URL = 'https://app.example';
const PASSWORD = 'correct horse battery staple';
let api: TestStack;

before(async () => {
  // The lookalike test's refused sign-ins (ten, all from this one address) would otherwise start
  // the source address's lockout, and later tests here need sign-ins to reach the flow.
  api = await startTestStack({ APP_URL, AUTH_MAX_FAILED_SIGN_INS: '100' });
});
after(async () => {
  await api.close();
});

interface Mail {
  to: string[];
  text: string;
  html: string;
  at: number;
}

async function allMails(): Promise<Mail[]> {
  await api.drainOutbox(); // raw requests bypass the stack's drain: the queued mail goes out first
  const data = (await (await fetch(`${testServices().sesUrl}/store`)).json()) as {
    emails: Array<{ destination: { to: string[] }; body: { text?: string; html?: string }; at: number }>;
  };
  return data.emails.map((m) => ({ to: m.destination.to, text: m.body.text ?? '', html: m.body.html ?? '', at: m.at }));
}

/** Mails whose recipient contains `label` once canonicalised (each test uses a unique label). */
async function mailsAbout(label: string): Promise<Mail[]> {
  return (await allMails()).filter((m) => m.to.some((to) => canonicalizeEmail(to).includes(label)));
}

const fullwidth = (s: string) => [...s].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');

async function confirmedUser(email: string): Promise<string> {
  assert.equal((await api.request('POST', '/registration', { body: { email, password: PASSWORD } })).status, 202);
  const confirmed = await api.request('POST', `/email-confirmation/${await lastLinkToken(email, 'confirm-email')}`);
  assert.equal(confirmed.status, 200);
  return confirmed.body.user.id as string;
}

test('lookalike emails (dotless ı, İ, fullwidth, zero-width, Kelvin sign, ß, case) never reach another account or its mail', async () => {
  const label = uniqueEmail('kiss').split('@')[0] as string; // e.g. kiss-1234-abc-1
  const victim = `${label}@example.com`;
  const victimId = await confirmedUser(victim);
  // What a lookalike must never change (sign-ins with the right password do move sessionSeq).
  const identity = async () => {
    const item = (await api.scan()).find((i) => i.pk === `USER#${victimId}` && i.sk === 'PROFILE') ?? {};
    return JSON.stringify([
      item.email,
      item.emailCanonical,
      item.passwordHash,
      item.emailConfirmed,
      item.unconfirmedEmail,
      item.locked,
      item.role,
      item.sessionEpoch,
    ]);
  };
  const victimItem = await identity();
  const rest = label.slice(4);
  const lookalikes = [
    `kıss${rest}@example.com`, // dotless ı: a different address
    `kİss${rest}@example.com`, // capital dotted İ lower-cases to i + U+0307: different
    `kiß${rest}@example.com`, // ß is not ss: different
    `\u212Aiss${rest}@example.com`, // Kelvin sign: NFKC makes it K, so the same account
    fullwidth(victim), // fullwidth letters: NFKC makes them ASCII, the same account
    `k\u200Biss${rest}@example.com`, // zero-width space: ignorable, the same account (or refused)
    `ki\u00ADss${rest}@example.com`, // soft hyphen: ignorable
    victim.toUpperCase(),
    ` ${victim} `,
  ];
  for (const email of lookalikes) {
    const sameAccount = canonicalizeEmail(email) === victim;
    const registration = await api.request('POST', '/registration', { body: { email, password: PASSWORD } });
    assert.ok([202, 422].includes(registration.status), `${JSON.stringify(email)}: registration ${registration.status}`);
    const resend = await api.request('POST', '/email-confirmation/resend', { body: { email } });
    assert.ok([202, 422].includes(resend.status), `${JSON.stringify(email)}: resend ${resend.status}`);
    const signIn = await api.request('POST', '/session', { body: { email, password: PASSWORD } });
    if (signIn.status === 200) {
      assert.ok(sameAccount, `${JSON.stringify(email)} signed in to an account it is not canonically equal to`);
      assert.equal(signIn.body.user.id, victimId);
    } else {
      // A distinct lookalike account is unconfirmed (403) or the address was refused (401).
      assert.ok([401, 403].includes(signIn.status), `${JSON.stringify(email)}: sign-in ${signIn.status}`);
      assert.notEqual(signIn.body?.user?.id, victimId);
    }
    const wrong = await api.request('POST', '/session', { body: { email, password: `${PASSWORD}!` } });
    assert.equal(wrong.status, 401);
  }
  // Every mail went to a stored address: the victim's own, or a distinct lookalike account's.
  const stored = new Set((await api.scan()).filter((i) => i.sk === 'PROFILE').map((i) => i.email as string));
  const mails = await mailsAbout(rest);
  assert.ok(mails.length > 0, 'the lookalike requests sent no mail at all');
  for (const mail of mails) {
    for (const to of mail.to) {
      assert.ok(stored.has(to), `a mail went to ${JSON.stringify(to)}, which no account stores`);
      if (to !== victim) assert.notEqual(canonicalizeEmail(to), victim, 'a lookalike spelling of the victim got mail');
    }
  }
  // The victim's account is as it was.
  assert.equal(await identity(), victimItem);
  const distinct = lookalikes.filter((e) => canonicalizeEmail(e) !== victim);
  for (const email of distinct) {
    const holder = await api.store.findUserByEmail(canonicalizeEmail(email));
    if (holder) assert.notEqual(holder.id, victimId);
  }
});

/** Sends a request with any headers, Host included (fetch does not let a caller set Host). */
function rawPost(path: string, body: unknown, headers: Record<string, string>): Promise<number> {
  const url = new URL(path, api.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

test('Host, X-Forwarded-Host and Forwarded headers never change a mailed link (links come from APP_URL only)', async () => {
  const poison = {
    host: 'evil.example',
    'x-forwarded-host': 'evil.example',
    'x-forwarded-proto': 'http',
    'x-forwarded-port': '6666',
    forwarded: 'for=203.0.113.9;host=evil.example;proto=http',
    'x-original-url': 'https://evil.example/',
    origin: 'https://evil.example',
    referer: 'https://evil.example/',
  };
  const email = uniqueEmail('poison');
  assert.equal(await rawPost('/registration', { email, password: PASSWORD }, poison), 202); // confirmation mail
  assert.equal(await rawPost('/email-confirmation/resend', { email }, poison), 202); // another one
  assert.equal(await rawPost('/session', { email, password: PASSWORD }, poison), 403); // email_not_confirmed: another one
  assert.equal(await rawPost('/registration', { email, password: PASSWORD }, poison), 202); // taken: another one
  const mails = (await allMails()).filter((m) => m.to.includes(email));
  assert.equal(mails.length, 4);
  for (const mail of mails) {
    for (const text of [mail.text, mail.html]) {
      assert.ok(!/evil\.example|6666/.test(text), 'a request header leaked into a mail');
      const links = text.match(/https?:\/\/[^\s"'<>)]+/g) ?? [];
      assert.ok(links.length > 0);
      for (const link of links) assert.ok(link.startsWith(`${APP_URL}/`), `a mailed link does not start with APP_URL: ${link}`);
    }
  }
});

test('parameter pollution (an array or object where a string belongs) is rejected with 400 and mails nobody', async () => {
  const victim = uniqueEmail('pollution-victim');
  const attacker = uniqueEmail('pollution-attacker');
  await confirmedUser(victim);
  const before = await api.scan();
  const mailsBefore = (await allMails()).length;
  const polluted: unknown[] = [[victim, attacker], [attacker, victim], { email: victim }, { $ne: null }, { toString: victim }, [victim], [], 123, true];
  const bodies = polluted.flatMap((value) => [
    ['POST', '/registration', { email: value, password: PASSWORD }],
    ['POST', '/registration', { email: victim, password: [PASSWORD, 'x'] }],
    ['POST', '/email-confirmation/resend', { email: value }],
    ['POST', '/session', { email: value, password: PASSWORD }],
    ['POST', '/session', { email: victim, password: [PASSWORD] }],
    ['POST', '/session/renew', { renewalToken: value }],
  ]) as Array<[string, string, unknown]>;
  for (const [method, path, body] of bodies) {
    const response = await api.request(method, path, { body });
    assert.equal(response.status, 400, `${path} ${JSON.stringify(body)} answered ${response.status}`);
    assert.equal(response.body.code, 'bad_request');
  }
  assert.deepEqual(await api.scan(), before, 'a polluted request changed the store');
  assert.equal((await allMails()).length, mailsBefore, 'a polluted request sent mail');
});
