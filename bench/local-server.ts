/**
 * The local runner for row 4, in its own process: `startLocalStack` (the same handlers, route
 * table and API Gateway emulation as `npm start`) on the DynamoDB Local the bench started
 * (BENCH_DYNAMODB_ENDPOINT). Registers the bench users over HTTP, prints one JSON line
 * `{ url, emails }`, and serves until the parent ends it.
 */
import { startLocalStack } from '../infra/local/stack.js';
import { BENCH_PASSWORD } from './lib/latch.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const endpoint = process.env.BENCH_DYNAMODB_ENDPOINT;
  const users = Number(process.env.BENCH_USERS ?? '8');
  if (!endpoint) throw new Error('BENCH_DYNAMODB_ENDPOINT is not set');
  const api = await startLocalStack({
    port: 0,
    dynamoDbEndpoint: endpoint,
    // No mail goes out: confirmation is off and every sign-in succeeds.
    sesEndpoint: 'http://127.0.0.1:9',
    tableName: process.env.BENCH_TABLE ?? 'latch-bench',
    env: { AUTH_REQUIRE_EMAIL_CONFIRMATION: 'false', POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  const emails: string[] = [];
  for (let i = 0; i < users; i++) {
    const email = `runner-${i}-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const res = await fetch(`${api.url}/registration`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: BENCH_PASSWORD }),
    });
    if (res.status !== 201) throw new Error(`registration answered ${res.status}: ${await res.text()}`);
    emails.push(email);
  }
  process.stdout.write(`${JSON.stringify({ url: api.url, emails })}\n`);
  const stop = () => void api.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
