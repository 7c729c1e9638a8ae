import type { Mailer, MailMessage } from '../../ports/services.js';

/** {@link Mailer} that keeps mail in memory, for unit tests and benchmarks. */
export class MemoryMailer implements Mailer {
  readonly sent: MailMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    this.sent.push(structuredClone(message));
  }

  /** Mails to one address, oldest first. */
  to(address: string): MailMessage[] {
    return this.sent.filter((m) => m.to === address);
  }
}
