import { testServices } from './services.js';

export interface StoredMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  at: number;
}

let drain: (() => Promise<unknown>) | undefined;

/** The test stack of this process registers its outbox drain: mail is read only after it ran. */
export function drainOutboxBeforeReading(drainOutbox: () => Promise<unknown>): void {
  drain = drainOutbox;
}

/** Every mail the local SES received for an address (its `/store`), oldest first, after the outbox is drained. */
export async function mailsTo(address: string): Promise<StoredMail[]> {
  await drain?.();
  const response = await fetch(`${testServices().sesUrl}/store`);
  const data = (await response.json()) as {
    emails: Array<{ destination: { to: string[] }; subject: string; body: { text?: string; html?: string }; at: number }>;
  };
  return data.emails
    .filter((m) => m.destination.to.includes(address))
    .map((m) => ({ to: m.destination.to, subject: m.subject, text: m.body.text ?? '', html: m.body.html ?? '', at: m.at }));
}

/** The token of the last link of a kind (`confirm-email`, `reset-password`, `invitation`) mailed to an address. */
export async function lastLinkToken(address: string, path: string): Promise<string> {
  // A stack in another process (the load test's) drains its outbox by polling: wait for it.
  for (let attempt = 0; ; attempt++) {
    const mails = await mailsTo(address);
    for (let i = mails.length - 1; i >= 0; i--) {
      const match = new RegExp(`/${path}/([A-Za-z0-9._~-]+)`).exec(mails[i]?.text ?? '');
      if (match?.[1]) return match[1];
    }
    if (drain || attempt >= 50) throw new Error(`no ${path} link was mailed to the address`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
