import { Command, CommanderError } from 'commander';
import { AuthError, ValidationError } from '../domain/errors.js';
import type { PublicUser } from '../domain/types.js';
import { type Actor, createUser, deleteUser, findUserByEmail, listUsers, lockUser, setUserPassword, unlockUser, updateUser } from '../flows/admin-users.js';
import type { Deps, RequestInfo } from '../flows/deps.js';
import { inviteUser } from '../flows/invitations.js';
import { resetMfa } from '../flows/mfa-reset.js';
import { adminUnlink, userIdentities } from '../flows/oauth.js';
import { registerAuditCommands } from './audit-commands.js';
import { CliError } from './errors.js';
import { registerKeysCommands } from './keys-commands.js';
import { cliRequest } from './operator.js';
import { confirm, type PromptIo, readPassword } from './prompt.js';
import type { TargetOptions } from './target.js';
import { registerUsersExport } from './users-export.js';
import { registerUsersImport } from './users-import.js';

/** The CLI's world: streams, environment and folder (the process's, or a test's). */
export interface CliIo extends PromptIo {
  stdout: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** Options every command takes. */
interface CommonOptions extends TargetOptions {
  json?: boolean;
}

/** Whoever runs the CLI has the table's credentials: the flows treat them as the operator. */
const OPERATOR: Actor = 'operator';

/** Exit codes: 0 success, 1 the operation failed (no such user, invalid field, no stack), 2 usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

function withCommonOptions(command: Command): Command {
  return command
    .option('--json', 'print JSON (the API’s user objects) instead of text')
    .option('--stack <name>', 'a deployed CloudFormation stack (its TableName output); AWS credentials from the usual chain')
    .option('--table <name>', 'a DynamoDB table directly')
    .option('--region <region>', 'AWS region of --stack or --table (default: AWS_REGION)')
    .option('--endpoint <url>', 'DynamoDB endpoint for --table (DynamoDB Local); or LATCH_DYNAMODB_ENDPOINT');
}

function describeUser(user: PublicUser): string {
  return [
    `id               ${user.id}`,
    `email            ${user.email}`,
    `emailConfirmed   ${user.emailConfirmed}`,
    `unconfirmedEmail ${user.unconfirmedEmail ?? '-'}`,
    `role             ${user.role}`,
    `locked           ${user.locked}`,
    `invitedBy        ${user.invitedBy ?? '-'}`,
    `createdAt        ${user.createdAt}`,
    `updatedAt        ${user.updatedAt}`,
    `mfaEnabled       ${user.mfaEnabled}`,
    `hasPassword      ${user.hasPassword}`,
  ].join('\n');
}

/** Builds the `latch` program. Actions report through `io`; `runCli` maps errors to exit codes. */
export function buildProgram(io: CliIo): Command {
  const print = (text: string) => io.stdout.write(`${text}\n`);

  /** Runs an action with deps for the target chosen by the command's options. */
  const act =
    <A extends unknown[]>(run: (deps: Deps, options: CommonOptions & Record<string, unknown>, request: RequestInfo, ...args: A) => Promise<void>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const options = command.opts() as CommonOptions & Record<string, unknown>;
      // Loaded here, so help and usage errors do not pay for the AWS SDK.
      const { buildCliDeps, resolveTarget } = await import('./target.js');
      const target = await resolveTarget(options, io.env, io.cwd);
      const deps = buildCliDeps(target, io.env);
      // The command's audit events name the operator (actor `operator`) and a fresh request id.
      await run(deps, options, await cliRequest(target), ...(args.slice(0, -2) as A));
    };

  /** The user with this email, or exit 1 with "no such user". */
  const userByEmail = async (deps: Deps, email: string): Promise<PublicUser> => {
    try {
      return await findUserByEmail(deps, OPERATOR, email);
    } catch (error) {
      if (error instanceof AuthError && error.code === 'not_found') throw new CliError(`No user with the email ${email}.`, 1, 'not_found');
      throw error;
    }
  };

  const output = (options: CommonOptions, value: unknown, text: string) => print(options.json ? JSON.stringify(value, null, 2) : text);

  const program = new Command('latch')
    .description('Manage the users of a Latch stack: the local one started by `npm start` (default) or a deployed one.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });

  const users = program.command('users').description('create, show, list and change users');

  withCommonOptions(
    users
      .command('create')
      .description('create a user (prompts for the password unless --password or --no-password)')
      .requiredOption('--email <email>', 'the address')
      .option('--password <password>', 'the password (better: leave it out and type or pipe it)')
      .option('--no-password', 'create the user without a password (they sign in after a password reset)')
      .option('--role <role>', 'the role (user, admin, or one of AUTH_ROLES)', 'user')
      .option('--confirmed', 'mark the email as confirmed'),
  ).action(
    act(async (deps, options, request) => {
      const password = options.password === false ? undefined : typeof options.password === 'string' ? options.password : await readPassword(io);
      const user = await createUser(
        deps,
        OPERATOR,
        {
          email: options.email as string,
          password,
          role: options.role as string,
          emailConfirmed: options.confirmed === true,
        },
        request,
      );
      output(options, { user }, `Created ${user.email} (${user.id}) with role ${user.role}${password === undefined ? ', without a password' : ''}.`);
    }),
  );

  withCommonOptions(users.command('show').description('show a user').requiredOption('--email <email>', 'the address')).action(
    act(async (deps, options) => {
      const user = await userByEmail(deps, options.email as string);
      output(options, { user }, describeUser(user));
    }),
  );

  withCommonOptions(users.command('list').description('list every user, by email')).action(
    act(async (deps, options) => {
      const all: PublicUser[] = [];
      let cursor: string | undefined;
      do {
        const page = await listUsers(deps, OPERATOR, { limit: 100, cursor });
        all.push(...page.users);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const rows = all.map((u) => `${u.email}\t${u.role}\t${u.locked ? 'locked' : 'active'}\t${u.emailConfirmed ? 'confirmed' : 'unconfirmed'}\t${u.id}`);
      output(options, { users: all }, rows.length ? rows.join('\n') : 'No users.');
    }),
  );

  withCommonOptions(
    users
      .command('set-password')
      .description("set a user's password (prompts for it unless --password); revokes every session of the user")
      .requiredOption('--email <email>', 'the address')
      .option('--password <password>', 'the new password (better: leave it out and type or pipe it)'),
  ).action(
    act(async (deps, options, request) => {
      const user = await userByEmail(deps, options.email as string);
      const password = typeof options.password === 'string' ? options.password : await readPassword(io, 'New password');
      await setUserPassword(deps, OPERATOR, user.id, { password }, request);
      output(options, { user: await userByEmail(deps, user.email) }, `Password set for ${user.email}; every session of theirs was revoked.`);
    }),
  );

  withCommonOptions(
    users
      .command('set-role')
      .description("change a user's role (live sessions get it at once)")
      .requiredOption('--email <email>', 'the address')
      .requiredOption('--role <role>', 'user, admin, or one of AUTH_ROLES'),
  ).action(
    act(async (deps, options, request) => {
      const user = await userByEmail(deps, options.email as string);
      const updated = await updateUser(deps, OPERATOR, user.id, { role: options.role as string }, request);
      output(options, { user: updated }, `${updated.email} now has the role ${updated.role}.`);
    }),
  );

  const simple: Array<[string, string, (deps: Deps, id: string, request: RequestInfo) => Promise<PublicUser | undefined>, (u: PublicUser) => string]> = [
    [
      'lock',
      'lock a user: every session revoked, sign-in refused with "Sorry, your account is locked."',
      (d, id, request) => lockUser(d, OPERATOR, id, request),
      (u) => `Locked ${u.email}; every session of theirs was revoked.`,
    ],
    [
      'unlock',
      'unlock a user (sessions revoked by the lock stay revoked)',
      (d, id, request) => unlockUser(d, OPERATOR, id, request),
      (u) => `Unlocked ${u.email}.`,
    ],
    [
      'mfa-reset',
      'remove every second factor of a user (TOTP, recovery codes, passkeys) and revoke every session; the owner is mailed',
      (d, id, request) => resetMfa(d, OPERATOR, id, request),
      (u) => `Removed every second factor of ${u.email}; every session of theirs was revoked.`,
    ],
  ];
  for (const [name, description, run, text] of simple) {
    withCommonOptions(users.command(name).description(description).requiredOption('--email <email>', 'the address')).action(
      act(async (deps, options, request) => {
        const user = await userByEmail(deps, options.email as string);
        const after = await run(deps, user.id, request);
        output(options, after ? { user: after } : { deleted: { id: user.id, email: user.email } }, text(after ?? user));
      }),
    );
  }

  // Social sign-in (docs/social-sign-in.md): a user's provider identities.
  withCommonOptions(
    users.command('identities').description("list a user's provider identities (with sub)").requiredOption('--email <email>', 'the address'),
  ).action(
    act(async (deps, options) => {
      const user = await userByEmail(deps, options.email as string);
      const { identities } = await userIdentities(deps, user.id);
      const rows = identities.map((i) => `${i.provider}\t${i.sub}\t${i.email ?? '-'}\t${i.emailVerified ? 'verified' : 'unverified'}\t${i.lastUsedAt}`);
      output(options, { identities }, rows.length ? rows.join('\n') : 'No identities.');
    }),
  );
  withCommonOptions(
    users
      .command('unlink')
      .description("remove a user's provider identity (may leave them without a sign-in method: a password reset lets them in)")
      .requiredOption('--email <email>', 'the address')
      .requiredOption('--provider <id>', 'the provider id'),
  ).action(
    act(async (deps, options, request) => {
      const user = await userByEmail(deps, options.email as string);
      await adminUnlink(deps, undefined, user.id, options.provider as string, request);
      output(options, { unlinked: { email: user.email, provider: options.provider } }, `Removed the ${options.provider as string} identity of ${user.email}.`);
    }),
  );

  withCommonOptions(
    users
      .command('delete')
      .description('delete a user with their sessions and tokens (asks first at a terminal; never the last admin)')
      .requiredOption('--email <email>', 'the address')
      .option('--yes', 'do not ask for confirmation (needed when standard input is not a terminal)'),
  ).action(
    act(async (deps, options, request) => {
      const user = await userByEmail(deps, options.email as string);
      if (user.role === 'admin' && !(await anotherAdminThan(deps, user.id))) {
        throw new CliError(`${user.email} is the last admin: make another user admin first (latch users set-role --role admin), then delete.`, 1, 'failed');
      }
      if (options.yes !== true && !(await confirm(io, `Delete ${user.email} (${user.id}) with all their sessions?`, '--yes'))) {
        throw new CliError('Not deleted.', 1, 'failed');
      }
      await deleteUser(deps, OPERATOR, user.id, request);
      output(options, { deleted: { id: user.id, email: user.email } }, `Deleted ${user.email}.`);
    }),
  );

  registerUsersImport(users, io);
  registerUsersExport(users, io);

  withCommonOptions(
    program
      .command('invite')
      .description('invite someone by email (they choose a password through the mailed link)')
      .requiredOption('--email <email>', 'the address'),
  ).action(
    act(async (deps, options, request) => {
      const { invitation, outcome } = await inviteUser(deps, null, options.email as string, request);
      output(
        options,
        { invitation, outcome },
        outcome === 'exists'
          ? `${invitation.email} already has an account; nothing was sent.`
          : `Invited ${invitation.email}; the link expires at ${invitation.expiresAt}.`,
      );
    }),
  );

  registerAuditCommands(program, io, withCommonOptions);
  registerKeysCommands(program, io, withCommonOptions);
  return program;
}

/**
 * Whether some user other than `id` has the admin role. An operator's safety net, read before the
 * delete: two operators deleting the last two admins at the same moment could both pass it, and
 * `latch users create --role admin` always restores admin access.
 */
async function anotherAdminThan(deps: Deps, id: string): Promise<boolean> {
  let cursor: string | undefined;
  do {
    const page = await listUsers(deps, OPERATOR, { limit: 100, cursor });
    if (page.users.some((u) => u.role === 'admin' && u.id !== id)) return true;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return false;
}

/** Describes a failure in one line (or JSON with --json) and returns the exit code. */
function report(io: CliIo, error: unknown, json: boolean): number {
  let code: string;
  let message: string;
  let errors: Record<string, string[]> | undefined;
  let exit: number = EXIT.failed;
  if (error instanceof CliError) {
    code = error.code;
    message = error.message;
    exit = error.exitCode;
  } else if (error instanceof ValidationError) {
    code = error.code;
    errors = error.errors;
    message = Object.entries(error.errors)
      .map(([field, list]) => `${field} ${list.join(', ')}`)
      .join('; ');
  } else if (error instanceof AuthError) {
    code = error.code;
    message = error.code === 'service_unavailable' ? 'The store is unavailable (is DynamoDB reachable?). Please try again.' : error.message;
  } else if (error instanceof Error && error.name === 'ResourceNotFoundException') {
    code = 'not_found';
    message = 'The DynamoDB table does not exist (check --table/--stack and --region).';
  } else if (error instanceof Error && /Credential/i.test(error.name)) {
    code = 'credentials';
    message = `No AWS credentials: ${error.message}`;
  } else {
    code = 'error';
    message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  io.stderr.write(json ? `${JSON.stringify({ error: { code, message, ...(errors ? { errors } : {}) } })}\n` : `latch: ${message}\n`);
  return exit;
}

/** Runs the CLI with these arguments (without `node` and the script) and returns the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; anything else commander refuses is a usage error.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    return report(io, error, args.includes('--json'));
  }
}
