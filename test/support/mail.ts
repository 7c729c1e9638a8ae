import { testServices } from './services.js';

export interface StoredMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  at: number;
}

/** Every mail the local SES received for an address (its `/store`), oldest first. */
export async function mailsTo(address: string): Promise<StoredMail[]> {
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
  const mails = await mailsTo(address);
  for (let i = mails.length - 1; i >= 0; i--) {
    const match = new RegExp(`/${path}/([A-Za-z0-9._~-]+)`).exec(mails[i]?.text ?? '');
    if (match?.[1]) return match[1];
  }
  throw new Error(`no ${path} link was mailed to the address`);
}
