import { chmod, open } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Deps, RequestInfo } from '../flows/deps.js';
import { exportUsers } from '../flows/export-users.js';
import { CliError } from './errors.js';
import { cliRequest } from './operator.js';
import type { CliIo } from './program.js';
import type { TargetOptions } from './target.js';

/** The target options (as every command has them) and `--json`. */
export function addTargetOptions(command: Command): Command {
  return command
    .option('--json', 'print the summary as JSON')
    .option('--stack <name>', 'a deployed CloudFormation stack (its TableName output); AWS credentials from the usual chain')
    .option('--table <name>', 'a DynamoDB table directly')
    .option('--region <region>', 'AWS region of --stack or --table (default: AWS_REGION)')
    .option('--endpoint <url>', 'DynamoDB endpoint for --table (DynamoDB Local); or LATCH_DYNAMODB_ENDPOINT');
}

/** Deps and request of a bulk command, for the target its options name. */
export async function cliContext(options: TargetOptions & Record<string, unknown>, io: CliIo): Promise<{ deps: Deps; request: RequestInfo }> {
  const { buildCliDeps, resolveTarget } = await import('./target.js');
  const target = await resolveTarget(options, io.env, io.cwd);
  const deps = buildCliDeps(target, io.env);
  return { deps, request: await cliRequest(target) };
}

const HASH_WARNING = 'latch: WARNING: this export holds password hashes, an offline cracking target. Keep the file encrypted, and delete it after use.\n';

/**
 * `latch users export` (`docs/specs/import-export.md` §6): every user as a line of the import
 * format, streamed to a file created with mode 0600 (an existing one only with `--force`).
 */
export function registerUsersExport(users: Command, io: CliIo): void {
  addTargetOptions(
    users
      .command('export')
      .description('export users to a JSONL file that `latch users import` reads (no hashes unless asked)')
      .requiredOption('--file <path>', 'the file to write (mode 0600)')
      .option('--include-password-hashes', 'add each password hash (prints a warning: keep the file encrypted)')
      .option('--include-identities', 'add social sign-in identities (not available in this version)')
      .option('--include-passkeys', 'add passkeys (not available in this version)')
      .option('--rp-id <id>', 'the relying party id of exported passkeys')
      .option('--force', 'overwrite an existing file'),
  ).action(async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = command.opts() as Record<string, unknown>;
    if (options.includeIdentities || options.includePasskeys) {
      throw new CliError('--include-identities and --include-passkeys need social sign-in and passkeys, which this version of Latch does not have.', 2);
    }
    const file = options.file as string;
    const { deps, request } = await cliContext(options, io);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(file, options.force ? 'w' : 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new CliError(`${file} exists: choose another file, or pass --force to overwrite it.`);
      throw new CliError(`Cannot create ${file}: ${code ?? 'error'}.`);
    }
    if (options.includePasswordHashes) io.stderr.write(HASH_WARNING);
    let summary: Awaited<ReturnType<typeof exportUsers>>;
    try {
      await chmod(file, 0o600);
      summary = await exportUsers(deps, { includePasswordHashes: options.includePasswordHashes === true, request }, async (line) => {
        await handle.write(`${line}\n`);
      });
    } finally {
      await handle.close();
    }
    const invited = summary.skippedInvited > 0 ? ` (${summary.skippedInvited} with a pending invitation left out: invite them again)` : '';
    io.stdout.write(options.json ? `${JSON.stringify({ summary })}\n` : `Exported ${summary.count} users to ${file}${invited}.\n`);
  });
}
