import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { auditTableDefinition, auditTableNameOf, createAuditTableInput } from '../../shared/adapters/dynamodb/audit-table.js';
import { createTableInput, tableDefinition } from '../../shared/adapters/dynamodb/table.js';

const require = createRequire(import.meta.url);

/** A child service we started and can stop. */
export interface Service {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Asks the OS for a free loopback port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** True when something already accepts connections on the port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/** Stops a child process: SIGTERM, then SIGKILL after 3 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, child: ChildProcess, output: () => string, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited early (code ${child.exitCode}):\n${output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  await stopChild(child);
  throw new Error(`${what} did not become ready in ${timeoutMs / 1000}s:\n${output()}`);
}

/** Fails with a clear message when Java (needed by DynamoDB Local) is missing. */
export function assertJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java, and `java` was not found. Install it, e.g.\n' + '  apt-get install -y openjdk-17-jre-headless\n' + 'and run again.',
    );
  }
}

/**
 * Starts DynamoDB Local (AWS's emulator, the jar shipped by `amplify-dynamodb-simulator`) in
 * memory with the machine's Java, and waits until it answers.
 */
export async function startDynamoDbLocal(port?: number): Promise<Service> {
  assertJava();
  const emulator = path.join(path.dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const chosen = port ?? (await freePort());
  if (await portInUse(chosen)) throw new Error(`DynamoDB Local: port ${chosen} is already in use (set DYNAMODB_PORT)`);
  let log = '';
  const child = spawn(
    'java',
    [
      '-Xms64m',
      `-Djava.library.path=${path.join(emulator, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(emulator, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(chosen),
    ],
    // DynamoDB Local writes a metadata file into its working folder: keep it out of the repo.
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() },
  );
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${chosen}`;
  const client = localDynamoClient(url);
  await waitFor(
    async () => {
      await client.send(new ListTablesCommand({}));
      return true;
    },
    'DynamoDB Local',
    child,
    () => log,
  );
  client.destroy();
  return { url, port: chosen, stop: () => stopChild(child) };
}

/** Starts aws-ses-v2-local (a local SES API; mails as JSON at `/store`) and waits until it answers. */
export async function startSesLocal(port?: number): Promise<Service> {
  const cli = path.join(path.dirname(require.resolve('aws-ses-v2-local/package.json')), 'dist', 'cli.js');
  const chosen = port ?? (await freePort());
  if (await portInUse(chosen)) throw new Error(`local SES: port ${chosen} is already in use (set SES_PORT)`);
  let log = '';
  const child = spawn(process.execPath, [cli, '--host', '127.0.0.1', '--port', String(chosen)], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => {
    log += d;
  });
  child.stderr?.on('data', (d) => {
    log += d;
  });
  const url = `http://127.0.0.1:${chosen}`;
  await waitFor(
    async () => (await fetch(`${url}/health-check`)).ok,
    'local SES',
    child,
    () => log,
  );
  return { url, port: chosen, stop: () => stopChild(child) };
}

/** A low-level client for DynamoDB Local (any credentials are accepted there). */
export function localDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/**
 * Creates the table and its audit table (`auditTableNameOf`) from the shared definitions (and
 * turns TTL on), unless they exist.
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = localDynamoClient(endpoint);
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    const wanted = [
      { input: createTableInput(tableName), ttl: tableDefinition.ttlAttribute },
      { input: createAuditTableInput(auditTableNameOf(tableName)), ttl: auditTableDefinition.ttlAttribute },
    ];
    for (const { input, ttl } of wanted) {
      if (existing.has(input.TableName as string)) continue;
      await client.send(new CreateTableCommand(input));
      await client.send(new UpdateTimeToLiveCommand({ TableName: input.TableName, TimeToLiveSpecification: { AttributeName: ttl, Enabled: true } }));
    }
  } finally {
    client.destroy();
  }
}
