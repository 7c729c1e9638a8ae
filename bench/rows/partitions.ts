/**
 * Row 9: no hot partition (issue 17, item 3). Every flow of one user's life (row 7's script) runs
 * on DynamoDB Local for many users, each from its own address, while {@link PartitionMeter}
 * records the capacity units every partition key of the table, the audit table and their indexes
 * receives, read from the requests as the store sends them (its write plans). Scaled to 1M MAU
 * at a peak of 2,000 sign-ins/s with the renewals, authorizer decisions, registrations and
 * sign-outs that go with it (the usage profile of row 7 at the deployed authorizer cache TTL),
 * the goal is no key above DynamoDB's per-partition limits: 1,000 WCU/s and 3,000 RCU/s.
 *
 * A key that more than one user's life touched is shared (an index shard, a day partition): its
 * load is each flow's peak rate times the units per call measured. A key only one life touched
 * is that user's own (its partition, its email claim, its counters): its load is what one user
 * can do at most, one call of each flow per second and ten authorizer decisions per second.
 */

import { AUDIT_DAY_SHARDS, auditTableNameOf } from '../../shared/adapters/dynamodb/audit-table.js';
import { DynamoDbCounters } from '../../shared/adapters/dynamodb/counters.js';
import { DynamoDbStore } from '../../shared/adapters/dynamodb/store.js';
import { USERS_INDEX_SHARDS } from '../../shared/adapters/dynamodb/table.js';
import { deliverOutboxMail } from '../../shared/flows/send-mail.js';
import { defaultTemplates } from '../../shared/mail/templates.js';
import { createDocumentClient } from '../../shared/runtime/lambda-deps.js';
import type { BenchContext, Flow } from '../lib/context.js';
import { FLOWS } from '../lib/context.js';
import { authorizerDecisions, USAGE } from '../lib/cost-model.js';
import { readDeployedShape } from '../lib/deployed-shape.js';
import { runFlowScript } from '../lib/flows.js';
import { benchDeps } from '../lib/latch.js';
import { count } from '../lib/options.js';
import { type KeyLoad, PartitionMeter, shardedLoad } from '../lib/partitions.js';
import type { Figure, RowResult } from '../lib/report.js';

/** The peak. */
export const PEAK_SIGN_INS_PER_SECOND = 2000;
export const MAU = 1_000_000;
/** DynamoDB's limits per partition (on demand and provisioned alike). */
export const LIMITS = { writes: 1000, reads: 3000 } as const;
/** What one user can do at most in a second of the peak. */
const ONE_USER_PER_SECOND: Record<Flow, number> = {
  register: 1,
  confirm: 1,
  'sign-in': 1,
  renew: 1,
  authorize: 10,
  'sign-out': 1,
  'reset-request': 1,
  reset: 1,
  'mfa-challenge': 1,
  'mfa-verify': 1,
};

interface Touch {
  lives: Set<number>;
  byFlow: Map<Flow, KeyLoad>;
}

/** Each flow's calls per second at the peak, from the per-MAU usage profile (row 7's). */
export function peakRates(decisionsPerMau: number): Record<Flow, number> {
  const perSignIn = (perMau: number) => (PEAK_SIGN_INS_PER_SECOND * perMau) / USAGE.signIns;
  return {
    register: perSignIn(USAGE.registrations),
    confirm: perSignIn(USAGE.registrations),
    'sign-in': PEAK_SIGN_INS_PER_SECOND,
    renew: perSignIn(USAGE.renewals),
    authorize: perSignIn(decisionsPerMau),
    'sign-out': perSignIn(USAGE.signOuts),
    'reset-request': perSignIn(USAGE.resets),
    reset: perSignIn(USAGE.resets),
    // Worst case: every sign-in of the peak is a two-step one (its challenge and its second step).
    'mfa-challenge': PEAK_SIGN_INS_PER_SECOND,
    'mfa-verify': PEAK_SIGN_INS_PER_SECOND,
  };
}

/** Partition keys spread over shards by a hash, judged per shard as a group. */
const SHARDED = [
  { name: 'table/gsi1:USERS#<shard>', match: /^table\/gsi1:USERS#\d+$/, shards: USERS_INDEX_SHARDS },
  { name: 'audit/gsi1:DAY#<day>#<shard>', match: /^audit\/gsi1:DAY#\d{4}-\d{2}-\d{2}#\d+$/, shards: AUDIT_DAY_SHARDS },
] as const;

/** A key with its user-specific parts replaced, for the notes (no two users' keys are alike). */
function pattern(key: string): string {
  return key
    .replace(/USER#[0-9a-f-]{36}/g, 'USER#<id>')
    .replace(/EMAIL#[^ ]+@example\.com/g, 'EMAIL#<email>')
    .replace(/EMAIL#[A-Za-z0-9_-]{43}$/g, 'EMAIL#<emailHash>')
    .replace(/email:[0-9a-f]{64}/g, 'email:<hash>')
    .replace(/COUNTER#email:[A-Za-z0-9_-]{43}/g, 'COUNTER#email:<hash>')
    .replace(/ip:[0-9.]+/g, 'ip:<address>')
    .replace(/OUTBOX#[^ ]+/g, 'OUTBOX#<id>')
    .replace(/DAY#\d{4}-\d{2}-\d{2}#\d+/g, 'DAY#<day>#<shard>')
    .replace(/DAY#\d{4}-\d{2}-\d{2}/g, 'DAY#<day>')
    .replace(/NOUSER#\d{4}-\d{2}-\d{2}/g, 'NOUSER#<day>');
}

export async function run(ctx: BenchContext): Promise<RowResult> {
  const dynamo = await ctx.dynamo();
  const client = createDocumentClient({ LATCH_DYNAMODB_ENDPOINT: dynamo.endpoint });
  const meter = new PartitionMeter({ main: dynamo.tableName, audit: auditTableNameOf(dynamo.tableName) });
  meter.attach(client);
  const deps = await benchDeps({
    store: new DynamoDbStore(client, dynamo.tableName),
    counters: new DynamoDbCounters(client, dynamo.tableName),
    configEnv: { AUTH_REQUIRE_EMAIL_CONFIRMATION: 'true' },
  });
  // The stream's stand-in, as in row 7: a committed outbox mail reaches the memory mailer at once.
  const commit = deps.store.commit.bind(deps.store);
  deps.store = Object.assign(Object.create(deps.store) as typeof deps.store, {
    commit: async (ops: Parameters<typeof commit>[0]) => {
      await commit(ops);
      for (const op of ops) if (op.type === 'enqueueMail') await deliverOutboxMail({ ...deps, templates: deps.templates ?? defaultTemplates }, op.mail);
    },
  });

  const lives = count(ctx.options, 48, 24);
  const touches = new Map<string, Touch>();
  for (let life = 0; life < lives; life++) {
    const request = { ip: `10.${(life >> 8) & 255}.${life & 255}.${1 + (life % 250)}`, userAgent: 'latch-bench' };
    await runFlowScript(
      deps,
      async (flow, step) => {
        meter.take();
        const result = await step();
        for (const [key, load] of meter.take()) {
          const touch = touches.get(key) ?? { lives: new Set<number>(), byFlow: new Map<Flow, KeyLoad>() };
          touch.lives.add(life);
          const sum = touch.byFlow.get(flow) ?? { reads: 0, writes: 0 };
          sum.reads += load.reads;
          sum.writes += load.writes;
          touch.byFlow.set(flow, sum);
          touches.set(key, touch);
        }
        return result;
      },
      request,
    );
  }

  const shape = readDeployedShape();
  const rates = peakRates(authorizerDecisions(shape));
  // Keys spread by a hash (users-index shards by user id, audit day shards by event id) are
  // judged as one group: the sample of a few dozen lives puts them unevenly on the shards, which
  // at the peak's thousands of calls a second land evenly (see {@link shardedLoad}).
  const groups = new Map<string, { shards: number; touches: Touch[] }>();
  const single: Array<[string, Touch]> = [];
  for (const [key, touch] of touches) {
    const group = SHARDED.find((g) => g.match.test(key));
    if (!group) {
      single.push([key, touch]);
      continue;
    }
    const entry = groups.get(group.name) ?? { shards: group.shards, touches: [] };
    entry.touches.push(touch);
    groups.set(group.name, entry);
  }
  const peak = single.map(([key, touch]) => {
    const shared = touch.lives.size > 1;
    let reads = 0;
    let writes = 0;
    for (const [flow, load] of touch.byFlow) {
      // Shared: the flow's rate times its units per call (summed over all lives / lives).
      // Own: one user's most, times the units of its one life.
      const perSecond = shared ? rates[flow] / lives : ONE_USER_PER_SECOND[flow];
      reads += perSecond * load.reads;
      writes += perSecond * load.writes;
    }
    return { key, shared, reads, writes, flows: [...touch.byFlow.keys()] };
  });
  const groupFigures: Figure[] = [];
  for (const [name, group] of groups) {
    const { mean, ...load } = shardedLoad(group.touches, group.shards, rates, lives);
    peak.push({ key: name, shared: true, ...load });
    groupFigures.push({
      label: `${name}: all ${group.shards} shards together (one unsharded key would take this) / mean per shard / hottest shard (mean + 3σ)`,
      value: Math.round(mean.writes * group.shards),
      unit: `WCU/s / ${Math.round(mean.writes)} WCU/s / ${Math.round(load.writes)} WCU/s`,
    });
  }
  const top = (by: 'reads' | 'writes') => [...peak].sort((a, b) => b[by] - a[by]);
  const maxWrites = top('writes')[0] ?? { key: 'none', reads: 0, writes: 0, shared: false, flows: [] };
  const maxReads = top('reads')[0] ?? { key: 'none', reads: 0, writes: 0, shared: false, flows: [] };
  const describe = (p: (typeof peak)[number]) => `${pattern(p.key)} (${p.shared ? 'shared' : "one user's"}; ${p.flows.join(', ')})`;
  // The hottest key of each kind (its pattern), hottest first.
  const kinds = new Map<string, (typeof peak)[number]>();
  for (const p of peak) {
    const kind = pattern(p.key).replace(/USERS#\d+/, 'USERS#<shard>');
    const seen = kinds.get(kind);
    if (!seen || p.writes + p.reads > seen.writes + seen.reads) kinds.set(kind, p);
  }
  const figures: Figure[] = [
    ...FLOWS.map((flow) => ({ label: `peak rate: ${flow}`, value: Math.round(rates[flow]), unit: 'calls/s' })),
    ...[...kinds.values()]
      .sort((a, b) => Math.max(b.writes / LIMITS.writes, b.reads / LIMITS.reads) - Math.max(a.writes / LIMITS.writes, a.reads / LIMITS.reads))
      .slice(0, 8)
      .map((p) => ({ label: `hottest ${describe(p)}`, value: Math.round(p.writes), unit: `WCU/s, ${Math.round(p.reads)} RCU/s` })),
  ];
  figures.push(...groupFigures);
  return {
    row: 9,
    title: `No hot partition: capacity per partition key at ${MAU.toLocaleString('en-US')} MAU, ${PEAK_SIGN_INS_PER_SECOND.toLocaleString('en-US')} sign-ins/s peak`,
    figures,
    verdicts: [
      {
        ratioLabel: `hottest key's writes (WCU/s): ${pattern(maxWrites.key)}`,
        ratio: maxWrites.writes,
        goal: `≤ ${LIMITS.writes}`,
        pass: maxWrites.writes <= LIMITS.writes,
      },
      {
        ratioLabel: `hottest key's reads (RCU/s): ${pattern(maxReads.key)}`,
        ratio: maxReads.reads,
        goal: `≤ ${LIMITS.reads}`,
        pass: maxReads.reads <= LIMITS.reads,
      },
    ],
    notes: [
      `${lives} users' lives (row 7's flow script: register, confirm, sign in, renew, authorize, sign out), each from its own address, on DynamoDB Local; units per key recorded from the requests the store sent (bench/lib/partitions.ts).`,
      `Peak rates from row 7's usage per MAU (${USAGE.signIns} sign-ins, ${USAGE.renewals} renewals, ${authorizerDecisions(shape)} authorizer decisions at the deployed cache TTL of ${shape.authorizerCacheTtlSeconds} s, ${USAGE.registrations} registrations, ${USAGE.signOuts} sign-out) scaled so sign-ins are ${PEAK_SIGN_INS_PER_SECOND}/s.`,
      `A key touched by more than one life is shared: load = each flow's peak rate × its units per call; the ${USERS_INDEX_SHARDS} users-index shards (by user id) and the ${AUDIT_DAY_SHARDS} audit day shards (by event id) are judged per group: the hottest shard of a second at the peak is the mean share plus 3 standard deviations of the calls' spread over the shards (shardedLoad). A key of one life only is that user's own: one call of each flow per second and 10 authorizer decisions per second at most.`,
      'Units: plain write 1 WCU, transactional write 2 WCU, ConditionCheck 2 RCU, consistent read 1 RCU, Query 1 RCU per 4 items; each write of an item in an index adds 1 WCU per KB to that index partition. Item sizes as the meter saw them (JSON length), rounded up to whole KB.',
    ],
  };
}
