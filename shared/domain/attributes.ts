import { BadRequestError, type FieldErrors, ValidationError } from './errors.js';
import { messages } from './messages.js';

/** One custom user attribute, declared by the deployment (`AUTH_USER_ATTRIBUTES`, JSON). */
export interface AttributeDefinition {
  type: 'string' | 'number' | 'boolean';
  /** Must be given at registration (and by admins creating users). */
  required?: boolean;
  /** Who may set it after creation: the user themself (`PATCH /me`) or only admins. */
  editableBy?: 'user' | 'admin';
  /** For strings: the longest accepted value, in characters (default 256). */
  maxLength?: number;
  /** For strings: the accepted values. */
  enum?: string[];
}

export type AttributeDefinitions = Record<string, AttributeDefinition>;

/** Names an attribute cannot take: they are members of the contract's user object or request bodies. */
const RESERVED = new Set([
  'id',
  'email',
  'emailConfirmed',
  'unconfirmedEmail',
  'role',
  'locked',
  'invitedBy',
  'createdAt',
  'updatedAt',
  'password',
  'passwordConfirmation',
  'currentPassword',
  'rememberMe',
  'passwordHash',
  'attributes',
]);

/** Parses and checks `AUTH_USER_ATTRIBUTES`; throws a plain Error (at cold start) when malformed. */
export function parseAttributeDefinitions(json: string | undefined): AttributeDefinitions {
  if (!json) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('AUTH_USER_ATTRIBUTES must be JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('AUTH_USER_ATTRIBUTES must be a JSON object');
  const out: AttributeDefinitions = {};
  for (const [name, raw] of Object.entries(parsed)) {
    if (!/^[a-z][A-Za-z0-9]{0,39}$/.test(name) || RESERVED.has(name)) throw new Error(`AUTH_USER_ATTRIBUTES: "${name}" is not an allowed attribute name`);
    const def = raw as AttributeDefinition;
    if (!def || !['string', 'number', 'boolean'].includes(def.type))
      throw new Error(`AUTH_USER_ATTRIBUTES: "${name}" needs a type of string, number or boolean`);
    if (def.editableBy !== undefined && def.editableBy !== 'user' && def.editableBy !== 'admin')
      throw new Error(`AUTH_USER_ATTRIBUTES: "${name}".editableBy must be "user" or "admin"`);
    out[name] = {
      type: def.type,
      required: def.required === true,
      editableBy: def.editableBy ?? 'user',
      maxLength: def.maxLength ?? 256,
      ...(def.enum ? { enum: def.enum.map(String) } : {}),
    };
  }
  return out;
}

/**
 * Picks the declared attributes out of a request body and checks them. Unknown members are
 * ignored (like any unknown member); a wrong JSON type is 400, a broken rule 422.
 * `mode: 'create'` enforces `required` (for a user, only of the attributes they may set);
 * `actor: 'user'` refuses admin-only attributes (422), at creation as on update.
 */
export function readAttributes(
  defs: AttributeDefinitions,
  body: Record<string, unknown>,
  options: { mode: 'create' | 'update'; actor: 'user' | 'admin' },
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const wrongType: FieldErrors = {};
  const errors: FieldErrors = {};
  for (const [name, def] of Object.entries(defs)) {
    const value = body[name];
    const adminOnly = options.actor === 'user' && def.editableBy === 'admin';
    if (value === undefined || value === null) {
      // A user cannot be asked for what they may not set (an admin, or a hook, provides it).
      if (options.mode === 'create' && def.required && !adminOnly) errors[name] = [messages.field.blank];
      continue;
    }
    if (typeof value !== def.type || (def.type === 'number' && !Number.isFinite(value))) {
      wrongType[name] = [messages.field.wrongType(def.type)];
      continue;
    }
    if (adminOnly) {
      // At registration too: a user must not pick their own tenant, plan or the like.
      errors[name] = [messages.field.notEditable];
      continue;
    }
    if (def.type === 'string') {
      const text = value as string;
      if (def.required && text.trim() === '') errors[name] = [messages.field.blank];
      else if ([...text].length > (def.maxLength ?? 256)) errors[name] = [messages.field.tooLong(def.maxLength ?? 256)];
      else if (def.enum && !def.enum.includes(text)) errors[name] = [messages.field.invalid];
    }
    if (!errors[name]) values[name] = value;
  }
  if (Object.keys(wrongType).length > 0) throw new BadRequestError('Some fields have the wrong type.', wrongType);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return values;
}
