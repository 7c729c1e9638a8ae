/**
 * Metrics (README "Operating Latch"): the store view counts what the flows commit (sign-ins,
 * refused sign-ins, renewals, reuse detections), and the EMF adapter writes each count as one
 * embedded-metric-format line in the namespace, with the `service` dimension the alarms read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryMetrics } from '../../shared/adapters/memory/metrics.js';
import { EmfMetrics, emfLine, METRICS_SERVICE } from '../../shared/adapters/metrics/emf.js';
import { renewSession, signIn } from '../../shared/flows/current-session.js';
import { confirmEmail } from '../../shared/flows/email-confirmation.js';
import { withMetrics } from '../../shared/flows/metrics.js';
import { register } from '../../shared/flows/registration.js';
import { lastMailedToken, memoryDeps } from '../support/memory.js';

const PASSWORD = 'correct horse battery staple';
const request = { ip: '203.0.113.9', userAgent: 'test-agent/1.0' };

test('metrics: the store view counts sign-ins, refused sign-ins, renewals and renewal-token reuse as the flows commit them', async () => {
  const deps = await memoryDeps();
  const metrics = new MemoryMetrics();
  deps.store = withMetrics(deps.store, metrics);
  const email = 'ann@example.com';
  await register(deps, { email, password: PASSWORD }, request);
  await confirmEmail(deps, lastMailedToken(deps, email, 'confirm-email'));
  const tokens = await signIn(deps, { email, password: PASSWORD }, request);
  await assert.rejects(signIn(deps, { email, password: 'wrong password entirely' }, request));
  const renewed = await renewSession(deps, { renewalToken: tokens.renewalToken });
  assert.ok(renewed.accessToken);
  // The spent renewal token again: reuse, the session is revoked.
  await assert.rejects(renewSession(deps, { renewalToken: tokens.renewalToken }));
  assert.equal(metrics.get('SignIns'), 1);
  assert.equal(metrics.get('SignInFailures'), 1);
  assert.equal(metrics.get('Renewals'), 1);
  assert.equal(metrics.get('RenewalReuseDetections'), 1);
});

test('metrics: the EMF adapter writes one EMF line per count, in the namespace, with service=latch', async () => {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('_aws')) {
      lines.push(text);
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    const metrics = new EmfMetrics('Latch/Test');
    metrics.count('SignIns');
    metrics.count('MailsSent', 3);
    metrics.count('Lockouts');
  } finally {
    process.stdout.write = write;
  }
  const emf = lines
    .flatMap((l) => l.trim().split('\n'))
    .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<Record<string, unknown>> } });
  assert.equal(emf.length, 3);
  for (const line of emf) {
    const [directive] = line._aws.CloudWatchMetrics;
    assert.equal(directive?.Namespace, 'Latch/Test');
    assert.deepEqual(directive?.Dimensions, [['service']]);
    assert.equal(line.service, METRICS_SERVICE);
  }
  assert.deepEqual(
    emf.map((l) => [
      ((l._aws.CloudWatchMetrics[0]?.Metrics as Array<{ Name: string }>) ?? [])[0]?.Name,
      l[((l._aws.CloudWatchMetrics[0]?.Metrics as Array<{ Name: string }>) ?? [])[0]?.Name ?? ''],
    ]),
    [
      ['SignIns', 1],
      ['MailsSent', 3],
      ['Lockouts', 1],
    ],
  );
});

test('metrics: an EMF line is exactly the embedded metric format document Powertools singleMetric() wrote (one metric, unit Count, dimension service)', () => {
  assert.equal(
    emfLine('Latch/Test', 'SignIns', 2, 1796319730052),
    '{"_aws":{"Timestamp":1796319730052,"CloudWatchMetrics":[{"Namespace":"Latch/Test","Dimensions":[["service"]],"Metrics":[{"Name":"SignIns","Unit":"Count"}]}]},"service":"latch","SignIns":2}',
  );
  // A count never throws, whatever the writer does.
  const failing = new EmfMetrics('Latch/Test', () => {
    throw new Error('EPIPE');
  });
  assert.doesNotThrow(() => failing.count('SignIns'));
});
