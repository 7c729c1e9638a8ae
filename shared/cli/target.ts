import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { commonPasswordsFile, lazyCommonPasswords } from '../adapters/breached-passwords/common.js';
import { breachedPasswordsFile, lazyBreachedPasswords } from '../adapters/breached-passwords/file.js';
import { Argon2Hasher } from '../adapters/crypto/argon2-hasher.js';
import { dataKeysOf, NO_DATA_KEYS } from '../adapters/crypto/data-keys.js';
import { DynamoDbAuditLog } from '../adapters/dynamodb/audit-log.js';
import { auditTableNameOf } from '../adapters/dynamodb/audit-table.js';
import { DynamoDbCounters } from '../adapters/dynamodb/counters.js';
import { DynamoDbStore } from '../adapters/dynamodb/store.js';
import { auditKeyOf, parseAuditKey } from '../adapters/secrets/audit-key.js';
import { legacyPasswordsOf } from '../adapters/secrets/import-peppers.js';
import { SesMailer } from '../adapters/ses/mailer.js';
import { loadConfig } from '../config.js';
import { withAuditMirror } from '../flows/audit.js';
import type { Deps } from '../flows/deps.js';
import { lazyHooks } from '../hooks/load.js';
import { loadMailTemplates } from '../mail/overrides.js';
import type { AuditKey, KeyRing, Log } from '../ports/services.js';
import { CliError } from './errors.js';

type Env = Record<string, string | undefined>;

/** Where the CLI's store is: the options every command takes. */
export interface TargetOptions {
  stack?: string | undefined;
  table?: string | undefined;
  region?: string | undefined;
  endpoint?: string | undefined;
}

/** A resolved store (and, for the local stack, its mail service). */
export interface Target {
  kind: 'local' | 'stack' | 'table';
  tableName: string;
  region: string | undefined;
  /** DynamoDB endpoint (DynamoDB Local); undefined for AWS. */
  endpoint: string | undefined;
  /** SES endpoint of the local stack (for `invite`). */
  mailEndpoint: string | undefined;
  /** For messages: where the CLI is working. */
  description: string;
  /** The audit table; undefined: the table's name with `-audit` (the local runner's naming). */
  auditTableName?: string | undefined;
  /** The audit key (the local stack's, or the stack's secret); undefined: `LATCH_AUDIT_KEY`. */
  auditKey?: AuditKey | undefined;
  /** Where the signing key ring is, for `latch keys`: the local runner's file, or the stack's two secrets. */
  signingKeys?: { file: string } | { privateSecretArn: string; publicSecretArn: string } | undefined;
}

/** What `npm start` records in `.latch/local.json` (see `infra/local/start.ts`). */
interface LocalState {
  pid?: number;
  apiUrl?: string;
  mailUrl?: string;
  dynamoDbEndpoint?: string;
  tableName?: string;
  auditTableName?: string;
  /** The audit key the runner generated (base64url), so the CLI's events hash addresses as the API's do. */
  auditKey?: string;
  region?: string;
  /** The signing key ring the local functions read (`latch keys` rotates it). */
  signingKeysFile?: string;
}

const NO_LOCAL_STACK =
  'No local Latch stack is running here: start one with `npm start` in this folder, ' +
  'or point the CLI at a deployed stack with --stack <name> (or --table <name> [--region <region>]).';

/** The nearest `.latch/local.json` from `cwd` upwards. */
function findLocalState(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, '.latch', 'local.json');
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The local stack recorded by `npm start`, or a clear error when none is running. */
export function localTarget(cwd: string): Target {
  const file = findLocalState(cwd);
  if (!file) throw new CliError(NO_LOCAL_STACK, 1, 'no_local_stack');
  let state: LocalState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as LocalState;
  } catch {
    throw new CliError(`${file} is not valid JSON. Restart the local stack with \`npm start\`.`);
  }
  if (typeof state.pid === 'number' && !processAlive(state.pid)) {
    throw new CliError(`The local stack recorded in .latch/local.json (process ${state.pid}) is not running any more. ${NO_LOCAL_STACK}`, 1, 'no_local_stack');
  }
  if (!state.dynamoDbEndpoint || !state.tableName) {
    throw new CliError(`${file} lacks dynamoDbEndpoint or tableName. Restart the local stack with \`npm start\`.`);
  }
  return {
    kind: 'local',
    tableName: state.tableName,
    region: state.region ?? 'us-east-1',
    endpoint: state.dynamoDbEndpoint,
    mailEndpoint: state.mailUrl,
    description: `the local stack (${state.apiUrl ?? state.dynamoDbEndpoint})`,
    auditTableName: state.auditTableName,
    auditKey: state.auditKey ? staticAuditKey(parseAuditKey(state.auditKey, `${file}: auditKey`)) : undefined,
    signingKeys: state.signingKeysFile ? { file: state.signingKeysFile } : undefined,
  };
}

type StackOutputs = Array<{ OutputKey?: string; OutputValue?: string }>;

/** The value of the output `key`, or of the one output whose key ends with it (a construct's prefix), leaving out keys `unless` matches. */
function outputValue(outputs: StackOutputs, key: string, unless?: (outputKey: string) => boolean): string | undefined {
  const candidates = outputs.filter((o) => o.OutputKey !== undefined && !unless?.(o.OutputKey));
  const exact = candidates.find((o) => o.OutputKey === key);
  const suffixed = candidates.filter((o) => o.OutputKey?.endsWith(key));
  return (exact ?? (suffixed.length === 1 ? suffixed[0] : undefined))?.OutputValue;
}

/** The table name among a CloudFormation stack's outputs (output key `TableName`; never the audit table's). */
export function tableFromStackOutputs(outputs: StackOutputs): string | undefined {
  return outputValue(outputs, 'TableName', (key) => key.endsWith('AuditTableName'));
}

/** The audit table and its key's secret among a stack's outputs (`AuditTableName`, `AuditKeySecretArn`). */
export function auditFromStackOutputs(outputs: StackOutputs): { tableName: string | undefined; keySecretArn: string | undefined } {
  return { tableName: outputValue(outputs, 'AuditTableName'), keySecretArn: outputValue(outputs, 'AuditKeySecretArn') };
}

/** The signing key secrets among a stack's outputs (`KeySecretArn`, `PublicKeySecretArn`). */
export function signingKeysFromStackOutputs(outputs: StackOutputs): { privateSecretArn: string; publicSecretArn: string } | undefined {
  const privateSecretArn = outputValue(outputs, 'KeySecretArn', (key) => key.endsWith('AuditKeySecretArn') || key.endsWith('PublicKeySecretArn'));
  const publicSecretArn = outputValue(outputs, 'PublicKeySecretArn');
  return privateSecretArn && publicSecretArn ? { privateSecretArn, publicSecretArn } : undefined;
}

/** The audit key in a Secrets Manager secret, read on first use (only commands that hash an address need it). */
function secretAuditKey(secretArn: string, region: string | undefined): AuditKey {
  let loading: Promise<Uint8Array> | undefined;
  return {
    key: () => {
      // The secrets client takes its region from the environment; the stack's is the one to use.
      if (region) process.env.AWS_REGION ??= region;
      loading ??= import('../adapters/secrets/key-secret.js')
        .then(({ readSecret }) => readSecret(secretArn, 'audit key'))
        .then((text) => parseAuditKey(text, 'the audit key secret'))
        .catch((error: unknown) => {
          loading = undefined;
          const name = error instanceof Error ? error.name : 'Error';
          throw new CliError(`Could not read the audit key secret ${secretArn} (${name}). Check your AWS credentials and their access to it.`);
        });
      return loading;
    },
  };
}

async function stackTarget(stack: string, region: string | undefined): Promise<Target> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const client = new CloudFormationClient(region ? { region } : {});
  try {
    const result = await client.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = result.Stacks?.[0]?.Outputs ?? [];
    const tableName = tableFromStackOutputs(outputs);
    if (!tableName) throw new CliError(`The stack "${stack}" has no TableName output. Is it a Latch stack? Use --table <name> instead.`);
    const resolved = region ?? (await client.config.region());
    const audit = auditFromStackOutputs(outputs);
    return {
      kind: 'stack',
      tableName,
      region: resolved,
      endpoint: undefined,
      mailEndpoint: undefined,
      description: `stack ${stack} (table ${tableName})`,
      auditTableName: audit.tableName,
      auditKey: audit.keySecretArn ? secretAuditKey(audit.keySecretArn, resolved) : undefined,
      signingKeys: signingKeysFromStackOutputs(outputs),
    };
  } catch (error) {
    if (error instanceof CliError) throw error;
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    if (/does not exist/i.test(message)) throw new CliError(`No CloudFormation stack named "${stack}"${region ? ` in ${region}` : ''}.`);
    throw new CliError(`Could not read the stack "${stack}" (${name}: ${message}). Check your AWS credentials and region.`);
  } finally {
    client.destroy();
  }
}

/**
 * Resolves where the CLI works: `--table` (with `--region`, and `--endpoint` or
 * `LATCH_DYNAMODB_ENDPOINT` for DynamoDB Local), `--stack` (the table from the stack's
 * outputs; credentials from the usual AWS chain), or by default the local stack that
 * `npm start` runs in this folder.
 */
export async function resolveTarget(options: TargetOptions, env: Env, cwd: string): Promise<Target> {
  if (options.stack && options.table) throw new CliError('Use either --stack or --table, not both.', 2);
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (options.table) {
    const endpoint = options.endpoint ?? env.LATCH_DYNAMODB_ENDPOINT;
    return { kind: 'table', tableName: options.table, region, endpoint, mailEndpoint: env.LATCH_SES_ENDPOINT, description: `table ${options.table}` };
  }
  if (options.endpoint) throw new CliError('--endpoint goes with --table.', 2);
  if (options.stack) return stackTarget(options.stack, region);
  return localTarget(cwd);
}

function staticAuditKey(key: Uint8Array): AuditKey {
  return { key: async () => key };
}

/** Without an audit key the CLI can still read, but a command that writes an event with an address fails, saying why. */
const missingAuditKey: AuditKey = {
  key: () => Promise.reject(new CliError('No audit key: run against the local stack, a deployed stack (--stack), or set LATCH_AUDIT_KEY.')),
};

/** The CLI never signs tokens; a flow that tries is a bug worth a loud error. */
const noKeys: KeyRing = {
  signingKey: () => Promise.reject(new Error('The CLI has no signing keys.')),
  verificationKey: () => Promise.reject(new Error('The CLI has no signing keys.')),
  publicJwks: () => Promise.reject(new Error('The CLI has no signing keys.')),
  publicKeySet: () => Promise.reject(new Error('The CLI has no signing keys.')),
};

/** Quiet by default (stdout is the CLI's output); `LATCH_CLI_DEBUG=1` logs to stderr. */
function cliLog(env: Env): Log {
  const write = env.LATCH_CLI_DEBUG
    ? (level: string) =>
        (message: string, fields: Record<string, unknown> = {}) =>
          process.stderr.write(`${JSON.stringify({ level, message, ...fields })}\n`)
    : () => () => undefined;
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/**
 * The CLI's composition root: the same flows as the functions, on the target's table, with the
 * argon2id hasher and the configuration from the environment (`AUTH_ROLES`,
 * `AUTH_PASSWORD_MIN_LENGTH`, …). No signing keys; mail (for `invite`) through SES, or the local
 * stack's SES.
 */
export function buildCliDeps(target: Target, env: Env): Deps {
  const config = loadConfig(env);
  const local = target.endpoint !== undefined;
  // DynamoDB Local and the local SES accept any credentials; do not make the user set some.
  const credentials = local && !env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
  const client = new DynamoDBClient({
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    ...(target.region ? { region: target.region } : local ? { region: 'us-east-1' } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 3,
  });
  if (credentials) {
    // The SES adapter takes its credentials from the environment.
    process.env.AWS_ACCESS_KEY_ID ??= credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY ??= credentials.secretAccessKey;
  }
  const mailRegion = target.region ?? (local ? 'us-east-1' : undefined);
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const log = cliLog(env);
  const auditTableName = target.auditTableName ?? auditTableNameOf(target.tableName);
  return {
    config,
    store: withAuditMirror(new DynamoDbStore(documents, target.tableName, undefined, auditTableName), log),
    auditKey: target.auditKey ?? auditKeyOf(env) ?? missingAuditKey,
    auditLog: new DynamoDbAuditLog(documents, auditTableName),
    // The CLI decrypts no secret: a deployed ring is only for the functions that need it.
    dataKeys: dataKeysOf(env) ?? NO_DATA_KEYS,
    counters: new DynamoDbCounters(documents, target.tableName),
    hasher: new Argon2Hasher(),
    keys: noKeys,
    mailer: new SesMailer(config.mailFrom, {
      ...(target.mailEndpoint ? { endpoint: target.mailEndpoint } : {}),
      ...(mailRegion ? { region: mailRegion } : {}),
    }),
    templates: loadMailTemplates(env),
    breached: lazyBreachedPasswords(breachedPasswordsFile(env)),
    commonPasswords: lazyCommonPasswords(commonPasswordsFile(env)),
    clock: { now: () => Date.now() },
    log,
    // The same hooks as the functions, so a lock or password change from the CLI notifies them too.
    hooks: env.LATCH_HOOKS_MODULE ? lazyHooks(env.LATCH_HOOKS_MODULE) : undefined,
    legacy: legacyPasswordsOf(env),
  };
}
