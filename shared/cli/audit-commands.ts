import { type FileHandle, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { AuditEvent } from '../domain/audit.js';
import { AuthError } from '../domain/errors.js';
import { FieldChecker } from '../domain/validation.js';
import { findUserByEmail } from '../flows/admin-users.js';
import { type AdminAuditEvent, type AdminAuditInput, AUDIT_LIST_LIMIT, adminAudit, exportAudit } from '../flows/audit-queries.js';
import type { Deps } from '../flows/deps.js';
import { CliError } from './errors.js';
import { cliRequest } from './operator.js';
import type { CliIo } from './program.js';
import type { Target, TargetOptions } from './target.js';

/**
 * `latch audit list` and `latch audit export` (`docs/audit.md`): the same flows as
 * `GET /admin/audit`, run as the operator (whoever holds the table's credentials).
 */

/** The most events `audit list --limit` shows (it walks the pages of the admin query). */
const LIST_MAX = 10_000;

interface AuditOptions extends TargetOptions {
  json?: boolean;
  user?: string;
  userId?: string;
  email?: string;
  type?: string;
  from?: string;
  to?: string;
  limit?: string;
  file?: string;
}

/** One event as a line of text: time, type, outcome, actor, subject, source, details (JSON: control characters escaped). */
function eventLine(event: AdminAuditEvent): string {
  const actor = event.actor.id ? `${event.actor.kind}:${event.actor.id}` : event.actor.kind;
  return [event.at, event.type, event.outcome, actor, event.userId ?? '-', event.ip ?? '-', JSON.stringify(event.details)].join('\t');
}

/**
 * Registers `audit list` and `audit export` on the program. `withCommonOptions` is the program's
 * (the target options every command takes).
 */
export function registerAuditCommands(program: Command, io: CliIo, withCommonOptions: (command: Command) => Command): void {
  const print = (text: string) => io.stdout.write(`${text}\n`);

  /** Runs an action with the target and deps chosen by the command's options. */
  const act =
    (run: (deps: Deps, target: Target, options: AuditOptions) => Promise<void>) =>
    async (...args: unknown[]) => {
      const options = (args[args.length - 1] as Command).opts() as AuditOptions;
      // Loaded here, so help and usage errors do not pay for the AWS SDK.
      const { buildCliDeps, resolveTarget } = await import('./target.js');
      const target = await resolveTarget(options, io.env, io.cwd);
      await run(buildCliDeps(target, io.env), target, options);
    };

  const audit = program.command('audit').description('read and export the audit log (who did what, when, from where)');

  withCommonOptions(
    audit
      .command('list')
      .description('list audit events, newest first: of a user, of an address, or of every user (by default the last 24 hours)')
      .option('--user <email>', 'the live user with this address')
      .option('--user-id <id>', 'a user id (a deleted user’s events too)')
      .option('--email <email>', 'an address, by its emailHash: a live, deleted or never registered account')
      .option('--type <type>', 'a type, or a family such as admin.* (docs/audit.md)')
      .option('--from <iso>', 'from this time (ISO 8601; a date alone: the start of that UTC day)')
      .option('--to <iso>', 'up to this time (ISO 8601; a date alone: the end of that UTC day; default now)')
      .option('--limit <n>', `show at most this many events (1 to ${LIST_MAX})`, String(AUDIT_LIST_LIMIT.default)),
  ).action(
    act(async (deps, _target, options) => {
      if ([options.user, options.userId, options.email].filter((value) => value !== undefined).length > 1) {
        throw new CliError('Use one of --user, --user-id and --email.', 2);
      }
      const check = new FieldChecker();
      const wanted = check.limit(options.limit, { default: AUDIT_LIST_LIMIT.default, max: LIST_MAX });
      check.throwIfAny();
      let userId = options.userId;
      if (options.user !== undefined) {
        try {
          userId = (await findUserByEmail(deps, 'operator', options.user)).id;
        } catch (error) {
          if (error instanceof AuthError && error.code === 'not_found') {
            throw new CliError(`No user with the email ${options.user} (for a deleted account or any address, use --email).`, 1, 'not_found');
          }
          throw error;
        }
      }
      const query: AdminAuditInput = { userId, email: options.email, type: options.type, from: options.from, to: options.to };
      const events: AdminAuditEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await adminAudit(deps, 'operator', { ...query, limit: Math.min(AUDIT_LIST_LIMIT.max, wanted - events.length), cursor });
        events.push(...page.events.slice(0, wanted - events.length));
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && events.length < wanted);
      print(options.json ? JSON.stringify({ events }, null, 2) : events.length > 0 ? events.map(eventLine).join('\n') : 'No events.');
    }),
  );

  withCommonOptions(
    audit
      .command('export')
      .description('write every event between two times to a file, one JSON object a line, day by day (oldest first); records audit.exported')
      .requiredOption('--from <iso>', 'from this time (ISO 8601; a date alone: the start of that UTC day)')
      .requiredOption('--to <iso>', 'up to this time (ISO 8601; a date alone: the end of that UTC day)')
      .requiredOption('--file <path>', 'the file to write (replaced if it exists; readable by you only)'),
  ).action(
    act(async (deps, target, options) => {
      const file = path.resolve(io.cwd, options.file as string);
      const request = await cliRequest(target);
      let handle: FileHandle | undefined;
      let opened = false;
      const openFile = async () => {
        opened = true;
        return open(file, 'w', 0o600);
      };
      try {
        const result = await exportAudit(deps, { from: options.from, to: options.to, request }, async (events: AuditEvent[]) => {
          handle ??= await openFile();
          await handle.writeFile(events.map((event) => `${JSON.stringify(event)}\n`).join(''));
        });
        // No event in the range: still an (empty) file, as asked.
        if (!handle) handle = await openFile();
        await handle.close();
        handle = undefined;
        const { from, to, count } = result;
        print(
          options.json
            ? JSON.stringify({ exported: { file: options.file, from, to, count } }, null, 2)
            : `Exported ${count} event${count === 1 ? '' : 's'} from ${from} to ${to} into ${options.file}.`,
        );
      } catch (error) {
        // An export that could not be read in full, or recorded, leaves no file behind (a file
        // that was there before and never opened, after a refused query, is left alone).
        await handle?.close().catch(() => undefined);
        if (opened) await rm(file, { force: true }).catch(() => undefined);
        throw error;
      }
    }),
  );
}
