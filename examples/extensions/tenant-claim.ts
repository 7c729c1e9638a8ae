/**
 * Example extension: add a `tenant` claim to every access token (sign-in, renewal, registration
 * without confirmation, invitation acceptance).
 *
 * The tenant is the user's custom attribute `tenant` when it is set, otherwise the domain of
 * their email. Declare the attribute admin-only, so users cannot pick their own tenant:
 *
 *   AUTH_USER_ATTRIBUTES='{"tenant":{"type":"string","editableBy":"admin"}}'
 *   LATCH_HOOKS_MODULE=examples/extensions/tenant-claim.ts npm start
 *
 * Backends read it from the verified JWT (`claims.tenant`).
 */
import { defineHooks } from '../../shared/hooks/types.js';

/** The tenant of a user: their `tenant` attribute, else their email's domain. */
export function tenantOf(user: { email: string; [attribute: string]: unknown }): string {
  if (typeof user.tenant === 'string' && user.tenant !== '') return user.tenant;
  return user.email.slice(user.email.lastIndexOf('@') + 1).toLowerCase();
}

export default defineHooks({
  async tokenClaims({ user }) {
    return { tenant: tenantOf(user) };
  },
});
