import { AuthError } from '../domain/errors.js';
import { type PublicUser, toPublicUser } from '../domain/types.js';
import type { Deps, Principal } from './deps.js';

/** The caller's own user object. */
export async function getMe(deps: Deps, principal: Principal): Promise<PublicUser> {
  const user = await deps.store.getUser(principal.userId);
  if (!user) throw new AuthError('unauthorized');
  return toPublicUser(user);
}
