import { readAttributes } from '../domain/attributes.js';
import { canonicalEmailOf } from '../domain/email.js';
import { isConflict, ValidationError } from '../domain/errors.js';
import {
  isImportFormat,
  isLatchArgon2,
  isWeakFormat,
  legacyHashProblem,
  type PasswordImport,
  type StoredFormat,
  storedHashOf,
} from '../domain/legacy-hashes.js';
import { randomId } from '../domain/secrets.js';
import type { User } from '../domain/types.js';
import { auditOp, recordAudit } from './audit.js';
import { type Deps, nowIso, type RequestInfo } from './deps.js';

/**
 * `npx latch users import` (`docs/specs/import-export.md` §2–§3, §8): JSONL lines validated all
 * first, then written one transaction per user (the user, its email claim and its
 * `user.imported` event), each Put conditioned on the item not existing, so an existing email or
 * id is skipped and never merged, and running the same file again imports nothing new.
 */

/** The longest line accepted, in bytes. */
export const MAX_LINE_BYTES = 65_536;
/** `--concurrency` bounds and default. */
export const IMPORT_CONCURRENCY = { min: 1, max: 32, default: 8 } as const;

const LINE_MEMBERS = ['email', 'id', 'emailConfirmed', 'role', 'locked', 'createdAt', 'attributes', 'password', 'identities', 'passkeys'];
const PASSWORD_MEMBERS = ['format', 'hash', 'pepperId', 'salt', 'saltPosition'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface ImportOptions {
  /** Validate only; write nothing. */
  dryRun?: boolean | undefined;
  /** A conflict (existing email or id) is `skipped` (default) or `failed`. */
  onConflict?: 'skip' | 'fail' | undefined;
  /** Users written at a time (1–32, default 8). */
  concurrency?: number | undefined;
  /** Accept the unsalted or fast digests (`md5`, `sha1`, `sha256`, `sha512`); they are wrapped in argon2id. */
  allowWeakHashes?: boolean | undefined;
  /** The relying party id of imported passkeys. */
  rpId?: string | undefined;
  /** Who runs the import (the CLI: the operator's AWS identity). */
  request: RequestInfo;
}

export type ImportStatus = 'imported' | 'skipped' | 'failed';

/** One line of the report: never a hash. */
export interface ImportReportLine {
  line: number;
  email?: string;
  status: ImportStatus;
  reason?: string;
  /** The Latch id of an imported user. */
  id?: string;
}

export interface ImportSummary {
  lines: number;
  imported: number;
  skipped: number;
  failed: number;
  dryRun: boolean;
}

/** What validating one line against the deployment needs. */
export interface LineContext {
  allowWeakHashes: boolean;
  peppers: ReadonlyMap<string, string>;
}

/** A validated line: the user to create (its hash not yet wrapped, for weak digests) and its password member. */
export interface ValidLine {
  line: number;
  user: User;
  password?: PasswordImport | undefined;
  /** The line named the id (a conflict on it is then `already imported` or `id taken`). */
  idGiven: boolean;
}

type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const invalid = (member: string, message: string): { ok: false; reason: string } => ({ ok: false, reason: `invalid: ${member} ${message}` });

/**
 * The user fields a line (or a `migrateUser` hook's result) may carry, checked against the
 * deployment: `id` a UUID, `role` configured, `createdAt` ISO 8601, `attributes` declared.
 */
export function checkUserFields(
  deps: Pick<Deps, 'config'>,
  value: Record<string, unknown>,
): Checked<{ id?: string; emailConfirmed: boolean; role: string; locked: boolean; createdAt?: string; attributes: Record<string, unknown> }> {
  const { id, emailConfirmed, role, locked, createdAt, attributes } = value;
  if (id !== undefined && (typeof id !== 'string' || !UUID.test(id)))
    return invalid('id', 'must be a UUID (other ids go into a custom attribute such as legacyId)');
  for (const [name, flag] of [
    ['emailConfirmed', emailConfirmed],
    ['locked', locked],
  ] as const) {
    if (flag !== undefined && typeof flag !== 'boolean') return invalid(name, 'must be true or false');
  }
  if (role !== undefined && (typeof role !== 'string' || !deps.config.roles.includes(role))) return invalid('role', 'is not a configured role');
  if (createdAt !== undefined && (typeof createdAt !== 'string' || !ISO_8601.test(createdAt) || Number.isNaN(Date.parse(createdAt)))) {
    return invalid('createdAt', 'must be an ISO 8601 time');
  }
  if (attributes !== undefined && (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)))
    return invalid('attributes', 'must be an object');
  const given = (attributes ?? {}) as Record<string, unknown>;
  const undeclared = Object.keys(given).filter((name) => !Object.hasOwn(deps.config.attributes, name));
  if (undeclared.length > 0) return invalid(`attributes.${undeclared[0]}`, 'is not declared in AUTH_USER_ATTRIBUTES');
  let values: Record<string, unknown>;
  try {
    values = readAttributes(deps.config.attributes, given, { mode: 'create', actor: 'admin' });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const [field, messages] = Object.entries(error.errors)[0] ?? ['attributes', ['is invalid']];
    return invalid(`attributes.${field}`, messages.join(', '));
  }
  return {
    ok: true,
    value: {
      ...(typeof id === 'string' ? { id } : {}),
      emailConfirmed: emailConfirmed === true,
      role: typeof role === 'string' ? role : 'user',
      locked: locked === true,
      ...(typeof createdAt === 'string' ? { createdAt: new Date(createdAt).toISOString() } : {}),
      attributes: values,
    },
  };
}

function checkPassword(value: unknown, context: LineContext): Checked<PasswordImport> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('password', 'must be an object { format, hash, … }');
  const member = value as Record<string, unknown>;
  const unknown = Object.keys(member).find((key) => !PASSWORD_MEMBERS.includes(key));
  if (unknown !== undefined) return invalid(`password.${unknown}`, 'is not a known member');
  const { format, hash, pepperId, salt, saltPosition } = member;
  if (!isImportFormat(format)) return invalid('password.format', 'is not a supported format (see docs/specs/import-export.md §4)');
  if (typeof hash !== 'string') return invalid('password.hash', 'must be a string');
  if (pepperId !== undefined && (typeof pepperId !== 'string' || pepperId === '')) return invalid('password.pepperId', 'must be a non-empty string');
  if (salt !== undefined && typeof salt !== 'string') return invalid('password.salt', 'must be a string');
  if (saltPosition !== undefined && saltPosition !== 'prefix' && saltPosition !== 'suffix') return invalid('password.saltPosition', 'must be prefix or suffix');
  const password: PasswordImport = {
    format,
    hash,
    ...(pepperId !== undefined ? { pepperId } : {}),
    ...(salt !== undefined ? { salt } : {}),
    ...(saltPosition !== undefined ? { saltPosition } : {}),
  };
  const problem = legacyHashProblem(password);
  if (problem !== undefined) return invalid('password.hash', problem);
  if (isWeakFormat(format) && !context.allowWeakHashes) return { ok: false, reason: 'weak hash not allowed' };
  if (password.pepperId !== undefined && !context.peppers.has(password.pepperId)) return { ok: false, reason: 'unknown pepper' };
  return { ok: true, value: password };
}

/**
 * One line, validated: JSON, its members, email, fields, password. Identities and passkeys need
 * social sign-in and passkeys, which this version does not have: a line that carries any fails
 * (an empty array is accepted), as the spec's "a configured provider" / "`--rp-id`" rules say.
 */
export function validateImportLine(
  deps: Pick<Deps, 'config' | 'clock'>,
  text: string,
  line: number,
  context: LineContext,
): { ok: true; value: ValidLine } | { ok: false; reason: string; email?: string } {
  if (Buffer.byteLength(text, 'utf8') > MAX_LINE_BYTES) return invalid('line', `is longer than ${MAX_LINE_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid('line', 'is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return invalid('line', 'must be a JSON object');
  const value = parsed as Record<string, unknown>;
  const rawEmail = typeof value.email === 'string' ? value.email : undefined;
  const emailCanonical = rawEmail === undefined ? undefined : canonicalEmailOf(rawEmail);
  const fail = (result: { ok: false; reason: string }) => ({ ...result, ...(emailCanonical ? { email: emailCanonical } : {}) });
  const unknown = Object.keys(value).find((key) => !LINE_MEMBERS.includes(key));
  if (unknown !== undefined) return fail(invalid(unknown, 'is not a known member'));
  if (emailCanonical === undefined)
    return invalid('email', value.email === undefined ? 'is required' : rawEmail === undefined ? 'must be a string' : 'is not a valid address');
  const fields = checkUserFields(deps, value);
  if (!fields.ok) return fail(fields);
  for (const member of ['identities', 'passkeys'] as const) {
    const list = value[member];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return fail(invalid(member, 'must be an array'));
    if (list.length > 0) {
      return fail(
        member === 'identities'
          ? invalid('identities[0].provider', 'is not a configured provider (this version of Latch has no social sign-in)')
          : invalid('passkeys', 'cannot be imported: this version of Latch has no passkeys'),
      );
    }
  }
  let password: PasswordImport | undefined;
  if (value.password !== undefined) {
    const checked = checkPassword(value.password, context);
    if (!checked.ok) return fail(checked);
    password = checked.value;
  }
  const now = nowIso(deps);
  const user: User = {
    id: fields.value.id ?? randomId(),
    email: emailCanonical,
    emailCanonical,
    emailConfirmed: fields.value.emailConfirmed,
    unconfirmedEmail: null,
    passwordHash: null,
    role: fields.value.role,
    locked: fields.value.locked,
    invitedBy: null,
    invitationPending: false,
    sessionEpoch: 0,
    sessionSeq: 0,
    attributes: fields.value.attributes,
    importedAt: now,
    createdAt: fields.value.createdAt ?? now,
    updatedAt: now,
  };
  return { ok: true, value: { line, user, password, idGiven: fields.value.id !== undefined } };
}

/** The stored password fields of a line: weak digests wrapped in argon2id here, never stored as they are. */
async function passwordFields(deps: Pick<Deps, 'hasher'>, password: PasswordImport | undefined): Promise<Partial<User>> {
  if (!password) return {};
  const extras = {
    ...(password.pepperId !== undefined ? { passwordPepperId: password.pepperId } : {}),
    ...(password.salt !== undefined ? { passwordSalt: password.salt, passwordSaltPosition: password.saltPosition ?? null } : {}),
  };
  if (isWeakFormat(password.format)) {
    const wrapped = await deps.hasher.hash(password.hash.toLowerCase());
    const format: StoredFormat = `wrapped-${password.format}`;
    return { passwordHash: storedHashOf(format, wrapped), passwordFormat: format, ...extras };
  }
  if (password.format === 'argon2' && isLatchArgon2(password.hash) && password.pepperId === undefined) return { passwordHash: password.hash };
  const format = password.format as StoredFormat;
  return { passwordHash: storedHashOf(format, password.hash), passwordFormat: format, ...extras };
}

/** Validates every line; a duplicate canonical email or id inside the file fails its later lines. */
export function validateImportFile(
  deps: Pick<Deps, 'config' | 'clock'>,
  lines: readonly string[],
  context: LineContext,
): { valid: ValidLine[]; report: ImportReportLine[] } {
  const valid: ValidLine[] = [];
  const report: ImportReportLine[] = [];
  const emails = new Map<string, number>();
  const ids = new Map<string, number>();
  lines.forEach((text, index) => {
    const line = index + 1;
    if (text.trim() === '') return;
    const result = validateImportLine(deps, text, line, context);
    if (!result.ok) {
      report.push({ line, ...(result.email ? { email: result.email } : {}), status: 'failed', reason: result.reason });
      return;
    }
    const { user } = result.value;
    const earlier = emails.get(user.emailCanonical) ?? (ids.has(user.id) ? ids.get(user.id) : undefined);
    if (earlier !== undefined) {
      const member = emails.has(user.emailCanonical) ? 'email' : 'id';
      report.push({ line, email: user.emailCanonical, status: 'failed', reason: `invalid: ${member} appears on line ${earlier} too` });
      return;
    }
    emails.set(user.emailCanonical, line);
    ids.set(user.id, line);
    valid.push(result.value);
  });
  return { valid, report };
}

/** Why a user's transaction failed its conditions, read after the fact (for the report only). */
async function conflictReason(deps: Pick<Deps, 'store'>, user: User, idGiven: boolean): Promise<string> {
  const holder = await deps.store.findUserByEmail(user.emailCanonical);
  if (holder) return holder.id === user.id ? 'already imported' : 'email taken';
  if (idGiven && (await deps.store.getUser(user.id))) return 'id taken';
  return 'email taken';
}

/** Writes one validated user: one transaction, the user, its claim and its event. */
async function importOne(deps: Deps, valid: ValidLine, options: ImportOptions): Promise<ImportReportLine> {
  const base = { line: valid.line, email: valid.user.emailCanonical };
  const user: User = { ...valid.user, ...(await passwordFields(deps, valid.password)) };
  try {
    await deps.store.commit([
      { type: 'createUser', user },
      await auditOp(deps, {
        type: 'user.imported',
        userId: user.id,
        emailCanonical: user.emailCanonical,
        details: { format: valid.password?.format ?? 'none' },
        request: options.request,
      }),
    ]);
    return { ...base, status: 'imported', id: user.id };
  } catch (error) {
    if (!isConflict(error)) {
      deps.log.warn('import of a line failed', { flow: 'import-users', line: valid.line, errorName: error instanceof Error ? error.name : typeof error });
      return { ...base, status: 'failed', reason: `store error: ${error instanceof Error ? error.name : 'unknown'}` };
    }
    const reason = await conflictReason(deps, user, valid.idGiven);
    return { ...base, status: options.onConflict === 'fail' ? 'failed' : 'skipped', reason };
  }
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Imports the lines of a JSONL file: validates all, then (unless `dryRun`) writes the valid ones,
 * `concurrency` at a time, and records `import.completed`. Returns the report (one line per
 * non-blank input line, in input order) and the summary.
 */
export async function importUsers(
  deps: Deps,
  lines: readonly string[],
  options: ImportOptions,
): Promise<{ report: ImportReportLine[]; summary: ImportSummary }> {
  const concurrency = options.concurrency ?? IMPORT_CONCURRENCY.default;
  if (!Number.isInteger(concurrency) || concurrency < IMPORT_CONCURRENCY.min || concurrency > IMPORT_CONCURRENCY.max) {
    throw new RangeError(`concurrency must be an integer from ${IMPORT_CONCURRENCY.min} to ${IMPORT_CONCURRENCY.max}`);
  }
  const peppers = (await deps.legacy?.peppers()) ?? new Map<string, string>();
  const { valid, report } = validateImportFile(deps, lines, { allowWeakHashes: Boolean(options.allowWeakHashes), peppers });
  if (options.dryRun) {
    // What would be written: valid lines show as `imported` without an id.
    for (const line of valid) report.push({ line: line.line, email: line.user.emailCanonical, status: 'imported' });
  } else {
    await inPool(valid, concurrency, async (line) => {
      report.push(await importOne(deps, line, options));
    });
  }
  report.sort((a, b) => a.line - b.line);
  const count = (status: ImportStatus) => report.filter((r) => r.status === status).length;
  const summary: ImportSummary = {
    lines: report.length,
    imported: count('imported'),
    skipped: count('skipped'),
    failed: count('failed'),
    dryRun: options.dryRun === true,
  };
  if (!options.dryRun) {
    await recordAudit(deps, {
      type: 'import.completed',
      userId: null,
      details: { imported: summary.imported, skipped: summary.skipped, failed: summary.failed, dryRun: false },
      request: options.request,
    });
  }
  deps.log.info('import finished', { flow: 'import-users', ...summary });
  return { report, summary };
}
