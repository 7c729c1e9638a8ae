import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { IMPORT_CONCURRENCY, importUsers } from '../flows/import-users.js';
import { CliError } from './errors.js';
import type { CliIo } from './program.js';
import { addTargetOptions, cliContext } from './users-export.js';

/**
 * `latch users import` (`docs/specs/import-export.md` §3): a JSONL file of users, validated whole
 * first, then written one transaction per user. Exit 0 when every line was imported or skipped,
 * 1 when any failed, 2 on a usage error.
 */
export function registerUsersImport(users: Command, io: CliIo): void {
  addTargetOptions(
    users
      .command('import')
      .description('import users from a JSONL file (one user per line; see docs/specs/import-export.md)')
      .requiredOption('--file <path>', 'the JSONL file')
      .option('--dry-run', 'validate every line and write nothing')
      .addOption(new Option('--on-conflict <mode>', 'an existing email or id: skip the line, or count it as failed').choices(['skip', 'fail']).default('skip'))
      .option('--concurrency <n>', `users written at a time (${IMPORT_CONCURRENCY.min}–${IMPORT_CONCURRENCY.max})`, String(IMPORT_CONCURRENCY.default))
      .option('--report <path>', 'write the report (one JSON line per input line, never a hash) to this file instead of stdout')
      .option('--allow-weak-hashes', 'accept md5/sha1/sha256/sha512 digests (stored wrapped in argon2id)')
      .option('--rp-id <id>', 'the relying party id of imported passkeys'),
  ).action(async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.opts() as Record<string, unknown>;
    const concurrency = Number(options.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < IMPORT_CONCURRENCY.min || concurrency > IMPORT_CONCURRENCY.max) {
      throw new CliError(`--concurrency must be a whole number from ${IMPORT_CONCURRENCY.min} to ${IMPORT_CONCURRENCY.max}.`, 2);
    }
    let text: string;
    try {
      text = await readFile(options.file as string, 'utf8');
    } catch (error) {
      throw new CliError(`Cannot read ${options.file as string}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
    }
    const { deps, request } = await cliContext(options, io);
    const { report, summary } = await importUsers(deps, text.split(/\r?\n/), {
      dryRun: options.dryRun === true,
      onConflict: options.onConflict as 'skip' | 'fail',
      concurrency,
      allowWeakHashes: options.allowWeakHashes === true,
      rpId: options.rpId as string | undefined,
      request,
    });
    const lines = report.map((line) => `${JSON.stringify(line)}\n`).join('');
    if (typeof options.report === 'string') await writeFile(options.report, lines, { mode: 0o600 });
    else io.stdout.write(lines);
    const verb = summary.dryRun ? 'would import' : 'imported';
    const text2 = `${summary.dryRun ? 'Dry run: ' : ''}${summary.lines} lines: ${verb} ${summary.imported}, skipped ${summary.skipped}, failed ${summary.failed}.`;
    io.stdout.write(options.json ? `${JSON.stringify({ summary })}\n` : `${text2}\n`);
    if (summary.failed > 0) throw new CliError(`${summary.failed} line(s) failed: see the report.`);
  });
}
