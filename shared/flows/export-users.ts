import { formatHashOf, isImportFormat, isWeakFormat } from '../domain/legacy-hashes.js';
import type { User } from '../domain/types.js';
import { recordAudit } from './audit.js';
import type { Deps, RequestInfo } from './deps.js';
import { legacyFormatOf } from './legacy-passwords.js';

/**
 * `npx latch users export` (`docs/specs/import-export.md` §6): users in canonical-email order
 * from the users index, page by page, each as a line of the import format, so an export imports
 * again. Never exported: TOTP secrets, recovery codes, sessions, tokens, pending items, audit
 * events, `unconfirmedEmail`, and users whose invitation is pending (counted).
 */

export interface ExportOptions {
  /** Adds `password` (argon2id as `argon2`, legacy hashes in their format with their `pepperId`, never the pepper). */
  includePasswordHashes?: boolean | undefined;
  request: RequestInfo;
}

export interface ExportSummary {
  count: number;
  /** Users left out because their invitation is pending (invite them again). */
  skippedInvited: number;
}

/** Users per page of the index. */
const PAGE = 100;

/** The line of one user, members in a fixed order (attributes sorted by name). */
export function exportLine(user: User, includePasswordHashes: boolean): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const name of Object.keys(user.attributes ?? {}).sort()) attributes[name] = user.attributes[name];
  const line: Record<string, unknown> = {
    id: user.id,
    email: user.email,
    emailConfirmed: user.emailConfirmed,
    role: user.role,
    locked: user.locked,
    createdAt: user.createdAt,
    attributes,
  };
  if (includePasswordHashes && user.passwordHash) {
    const format = legacyFormatOf(user);
    if (format === undefined) {
      line.password = { format: 'argon2', hash: user.passwordHash };
    } else {
      const hash = formatHashOf(format, user.passwordHash);
      if (hash !== undefined && isImportFormat(format) && !isWeakFormat(format)) {
        line.password = {
          format,
          hash,
          ...(user.passwordPepperId ? { pepperId: user.passwordPepperId } : {}),
          ...(user.passwordSalt ? { salt: user.passwordSalt, saltPosition: user.passwordSaltPosition ?? 'suffix' } : {}),
        };
      }
    }
  }
  return line;
}

/**
 * Streams every user to `write` (one JSON text per call, without the newline), then records
 * `export.completed`. Reads from the index are eventually consistent: a user written during the
 * export may or may not appear.
 */
export async function exportUsers(deps: Deps, options: ExportOptions, write: (line: string) => Promise<void> | void): Promise<ExportSummary> {
  const summary: ExportSummary = { count: 0, skippedInvited: 0 };
  let cursor: string | null = null;
  do {
    const page = await deps.store.listUsers({ limit: PAGE, cursor });
    for (const user of page.users) {
      if (user.invitationPending) {
        summary.skippedInvited += 1;
        continue;
      }
      await write(JSON.stringify(exportLine(user, Boolean(options.includePasswordHashes))));
      summary.count += 1;
    }
    cursor = page.nextCursor;
  } while (cursor);
  await recordAudit(deps, {
    type: 'export.completed',
    userId: null,
    details: { count: summary.count, skippedInvited: summary.skippedInvited, withPasswordHashes: Boolean(options.includePasswordHashes) },
    request: options.request,
  });
  deps.log.info('export finished', { flow: 'export-users', ...summary });
  return summary;
}
