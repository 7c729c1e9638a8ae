/**
 * Row 4's last figure: sign-ins per second through the local runner (a child process serving
 * the API on DynamoDB Local) under autocannon load from this process, on loopback only, for a
 * bounded time. No goal: it shows how much of a request the emulated pieces take.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { stopChild } from '../../infra/local/services.js';
import { BENCH_PASSWORD } from './latch.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export interface RunnerLoad {
  perSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  seconds: number;
}

/** Starts `bench/local-server.ts` and waits for its `{ url, emails }` line. */
function startServer(endpoint: string, tableName: string, users: number): Promise<{ child: ChildProcess; url: string; emails: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, '..', 'local-server.ts')], {
    env: { ...process.env, BENCH_DYNAMODB_ENDPOINT: endpoint, BENCH_TABLE: tableName, BENCH_USERS: String(users) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`local runner did not start in 60 s:\n${err}`));
    }, 60000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      const { url, emails } = JSON.parse(line) as { url: string; emails: string[] };
      resolve({ child, url, emails });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local runner exited (${code}):\n${err}`));
    });
  });
}

/** `connections` sign-ins in flight for `seconds` through the local runner. */
export async function loadLocalRunner(endpoint: string, tableName: string, connections: number, seconds: number): Promise<RunnerLoad> {
  const { child, url, emails } = await startServer(endpoint, tableName, connections);
  child.removeAllListeners('exit');
  try {
    let next = 0;
    const result = await autocannon({
      url,
      connections,
      duration: seconds,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          path: '/session',
          headers: { 'content-type': 'application/json' },
          // Each request signs in the next user in turn (sign-ins of one user would contend on its item).
          setupRequest: (request) => ({ ...request, body: JSON.stringify({ email: emails[next++ % emails.length], password: BENCH_PASSWORD }) }),
        },
      ],
    });
    return {
      perSecond: result['2xx'] / result.duration,
      ok: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors + result.timeouts,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      seconds: result.duration,
    };
  } finally {
    await stopChild(child);
  }
}
