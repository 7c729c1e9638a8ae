/**
 * Scale check of `latch users import` (`docs/specs/import-export.md`): generates users (default
 * 100,000, each with a PBKDF2 hash in Pow's layout and a `legacyId`), imports them through the
 * real CLI into a fresh table on DynamoDB Local, and reports users per second and the write units
 * the same import would consume on DynamoDB (on-demand), projected per 100,000 users. Not part of
 * `npm test`.
 *
 *   npm run bench:import -- [--users 100000] [--concurrency 8] [--endpoint http://127.0.0.1:8000]
 *
 * Without `--endpoint` it starts its own DynamoDB Local (Java). DynamoDB Local is far slower than
 * DynamoDB (one Java process, transactions serialised): the users/s here is a floor, not what an
 * import against AWS gets.
 */
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTable, startDynamoDbLocal } from '../infra/local/services.js';
import { generateAuditKey } from '../shared/adapters/secrets/audit-key.js';
import { runCli } from '../shared/cli/program.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '8' },
    endpoint: { type: 'string' },
  },
});
const users = Number(values.users);
const concurrency = values.concurrency as string;

/** On-demand price per million write request units (us-east-1, standard table class). */
const PRICE_PER_MILLION_WRU = 0.625;

/** Write units of one item written in a transaction: 2 per started KB (DynamoDB's item size rule, approximated by the JSON size). */
const transactionalWru = (item: unknown) => 2 * Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(item)) / 1024));

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'latch-import-scale-'));
  const dynamo = values.endpoint ? undefined : await startDynamoDbLocal();
  const endpoint = values.endpoint ?? (dynamo?.url as string);
  const tableName = `import-scale-${Date.now().toString(36)}`;
  try {
    await ensureTable(endpoint, tableName);
    // A pool of real Pow hashes (computing 100k PBKDF2 hashes would measure this script, not the import).
    const pool = Array.from({ length: 16 }, (_, i) => {
      const salt = randomBytes(16);
      return `$pbkdf2-sha512$100000$${salt.toString('base64')}$${pbkdf2Sync(`password ${i}`, salt, 1000, 64, 'sha512').toString('base64')}`;
    });
    const file = path.join(dir, 'users.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < users; i++) {
      lines.push(
        JSON.stringify({
          email: `user${i}@scale.example.com`,
          emailConfirmed: i % 3 !== 0,
          createdAt: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(),
          attributes: { legacyId: String(100_000 + i) },
          password: { format: 'pbkdf2', hash: pool[i % pool.length] },
        }),
      );
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const report = path.join(dir, 'report.jsonl');
    const out = { stdout: '', stderr: '' };
    const sink = (key: 'stdout' | 'stderr') =>
      ({
        write: (s: string) => {
          out[key] += s;
          return true;
        },
      }) as unknown as NodeJS.WritableStream;
    const started = performance.now();
    const code = await runCli(
      ['users', 'import', '--file', file, '--concurrency', concurrency, '--report', report, '--json', '--table', tableName, '--endpoint', endpoint],
      {
        stdin: process.stdin,
        stdout: sink('stdout'),
        stderr: sink('stderr'),
        env: {
          ...process.env,
          AUTH_USER_ATTRIBUTES: JSON.stringify({ legacyId: { type: 'string', editableBy: 'admin' } }),
          LATCH_AUDIT_KEY: generateAuditKey(),
        },
        cwd: dir,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    if (code !== 0) throw new Error(`import exited ${code}: ${out.stderr}`);
    const summary = JSON.parse(out.stdout.trim().split('\n').pop() as string).summary;
    const reported = readFileSync(report, 'utf8').trim().split('\n').length;

    // Write units of one user's transaction, from a representative stored user, claim and event.
    const sample = JSON.parse(lines[0] as string);
    const userItem = {
      pk: 'USER#00000000-0000-0000-0000-000000000000',
      sk: 'PROFILE',
      gsi1pk: 'USERS',
      gsi1sk: `${sample.email}#00000000-0000-0000-0000-000000000000`,
      ...sample,
      passwordHash: sample.password.hash,
      passwordFormat: 'pbkdf2',
      importedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    };
    const claim = { pk: `EMAIL#${sample.email}`, sk: 'CLAIM', userId: '00000000-0000-0000-0000-000000000000' };
    const event = {
      pk: 'USER#00000000-0000-0000-0000-000000000000',
      sk: '01J0000000000000000000000',
      type: 'user.imported',
      details: { format: 'pbkdf2' },
      emailHash: 'x'.repeat(43),
    };
    // Plus the users index (gsi1): one standard write of the profile's size.
    const gsiWru = Math.max(1, Math.ceil(Buffer.byteLength(JSON.stringify(userItem)) / 1024));
    const perUser = transactionalWru(userItem) + transactionalWru(claim) + transactionalWru(event) + gsiWru;
    const per100k = perUser * 100_000;
    console.log(
      JSON.stringify(
        {
          users,
          concurrency: Number(concurrency),
          imported: summary.imported,
          failed: summary.failed,
          reportLines: reported,
          seconds: Math.round(seconds * 10) / 10,
          usersPerSecond: Math.round((users / seconds) * 10) / 10,
          writeUnitsPerUser: perUser,
          writeUnitsPer100k: per100k,
          onDemandCostPer100kUsd: Math.round((per100k / 1e6) * PRICE_PER_MILLION_WRU * 100) / 100,
          note: 'measured on DynamoDB Local (a floor); write units: 2 per KB per transactional item (profile, claim, event) + the users index',
        },
        null,
        2,
      ),
    );
  } finally {
    await dynamo?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
