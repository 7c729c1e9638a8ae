import { readAttributes } from '../domain/attributes.js';
import { ServiceUnavailableError, ValidationError } from '../domain/errors.js';
import type { User } from '../domain/types.js';
import type { FieldChecker } from '../domain/validation.js';
import { logHookFailure } from '../hooks/run.js';
import type { Deps } from './deps.js';

/** Who writes attributes and when: see {@link readUserAttributes}. */
export interface AttributeWrite {
  /** `create`: registration, invitation acceptance, admin create (enforces `required`). `update`: `PATCH /me`, admin update. */
  mode: 'create' | 'update';
  /** `user` may not set attributes declared `editableBy: 'admin'`. */
  actor: 'user' | 'admin';
}

/**
 * Reads the deployment's custom attributes (`AUTH_USER_ATTRIBUTES`) from a request body: the
 * members named like a declared attribute, at the top level of the JSON body next to the
 * contract's own fields. Pass the raw parsed body (the route's zod schema strips unknown keys).
 * Undeclared members are ignored. A wrong JSON type throws `400 bad_request` at once; broken
 * rules (`422`) are added to `check` when given (so they come together with the other field
 * errors), else thrown as a `ValidationError`.
 *
 * For the user, `required` applies only to attributes they may set: an admin-only required
 * attribute is enforced when an admin creates a user (a `beforeRegistration` hook may fill it in
 * at registration).
 *
 * PATCH /me: `readUserAttributes(deps, body, { mode: 'update', actor: 'user' }, check)`, then
 * `set: { attributes: mergeAttributes(user, values) }` in the same user write.
 * Admin create/update: `{ mode: 'create' | 'update', actor: 'admin' }`.
 */
export function readUserAttributes(
  deps: Pick<Deps, 'config'>,
  body: Record<string, unknown>,
  write: AttributeWrite,
  check?: FieldChecker,
): Record<string, unknown> {
  try {
    return readAttributes(deps.config.attributes, body, write);
  } catch (error) {
    if (!(error instanceof ValidationError) || !check) throw error;
    for (const [field, list] of Object.entries(error.errors)) for (const message of list) check.add(field, message);
    return {};
  }
}

/** The user's attributes after an update: the new values over the stored ones. */
export function mergeAttributes(user: Pick<User, 'attributes'>, values: Record<string, unknown>): Record<string, unknown> {
  return { ...user.attributes, ...values };
}

/**
 * Checks attributes a hook returned (`beforeRegistration`): they must be declared and follow
 * their declaration (as if an admin set them). Anything else is a broken hook, not the client's
 * fault: 503, logged with the hook's name, nothing written.
 */
export function checkHookAttributes(deps: Pick<Deps, 'config' | 'log'>, hook: 'beforeRegistration', returned: unknown): Record<string, unknown> {
  if (returned === undefined || returned === null) return {};
  const fail = (reason: string): never => {
    logHookFailure(deps, hook, new TypeError(reason));
    throw new ServiceUnavailableError();
  };
  if (typeof returned !== 'object' || Array.isArray(returned)) return fail('attributes must be an object');
  const values = returned as Record<string, unknown>;
  const undeclared = Object.keys(values).filter((name) => !(name in deps.config.attributes));
  if (undeclared.length > 0) return fail(`undeclared attributes: ${undeclared.join(', ')}`);
  try {
    return readAttributes(deps.config.attributes, values, { mode: 'update', actor: 'admin' });
  } catch {
    return fail('attributes break their declaration');
  }
}
