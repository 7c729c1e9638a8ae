import { ServiceUnavailableError } from '../domain/errors.js';
import type { Deps, Principal } from './deps.js';

/** `GET /me/activity`. (Being built: see issue 12.) */
export async function myActivity(
  _deps: Deps,
  _principal: Principal,
  _query: Record<string, string>,
): Promise<{ events: unknown[]; nextCursor: string | null }> {
  throw new ServiceUnavailableError('not built yet');
}

/** `GET /admin/audit` and `GET /admin/users/{id}/audit`. (Being built: see issue 12.) */
export async function adminAudit(
  _deps: Deps,
  _query: Record<string, string>,
  _options: { byId?: boolean } = {},
): Promise<{ events: unknown[]; nextCursor: string | null }> {
  throw new ServiceUnavailableError('not built yet');
}
