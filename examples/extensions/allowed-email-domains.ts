/**
 * Example extension: only allow registration from these email domains.
 *
 *   ALLOWED_EMAIL_DOMAINS=example.com,example.org
 *   LATCH_HOOKS_MODULE=examples/extensions/allowed-email-domains.ts npm start
 *
 * Any other domain gets `422 validation_failed` with `errors.email: ["is not allowed"]`, and
 * nothing is stored or mailed. Subdomains are not included (list them). Without the variable,
 * registration is refused with 503 (fail closed) rather than silently open.
 */
import { defineHooks, HookRejection, type LatchHooks } from '../../shared/hooks/types.js';

/** The domain of an address, lower-cased (what follows the last `@`). */
export function emailDomain(email: string): string {
  return email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
}

/** The hooks for a fixed list of domains (handy in tests and in your own module). */
export function allowedEmailDomains(domains: string[]): LatchHooks {
  const allowed = new Set(domains.map((d) => d.trim().toLowerCase()).filter((d) => d !== ''));
  return defineHooks({
    async beforeRegistration({ email }) {
      if (allowed.size === 0) throw new Error('ALLOWED_EMAIL_DOMAINS is empty'); // 503: fail closed
      if (!allowed.has(emailDomain(email))) throw HookRejection.field('email', 'is not allowed');
    },
  });
}

/** The module's hooks: the list is read from `ALLOWED_EMAIL_DOMAINS` at each registration. */
export default defineHooks({
  async beforeRegistration(ctx) {
    const domains = (process.env.ALLOWED_EMAIL_DOMAINS ?? '').split(',');
    await allowedEmailDomains(domains).beforeRegistration?.(ctx);
  },
});
