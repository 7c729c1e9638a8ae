/**
 * Row 7's monthly cost model: list prices, a documented usage profile per monthly active user,
 * the deployed shape (memory, architecture, authorizer cache: `deployed-shape.ts`), and the
 * arithmetic. A model, not a bill: every assumption is here and printed with the row.
 */
import type { DeployedShape } from './deployed-shape.js';

/** us-east-1 list prices (2024-11). */
export const PRICES = {
  httpApiPerMillion: 1.0,
  lambdaGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  lambdaPerMillion: 0.2,
  writeUnitPerMillion: 0.625,
  readUnitPerMillion: 0.125,
  storageGbMonth: 0.25,
  sesPerThousand: 0.1,
  cognito: { freeMau: 10_000, lite: 0.0055, essentials: 0.015, plus: 0.02 },
} as const;

/** Lambda's CPU share: a function gets one full vCPU at 1,769 MB, proportionally less below. */
export const FULL_VCPU_MB = 1769;

/** Latencies billed as wall time on top of CPU. */
export const LATENCY = {
  /** Per DynamoDB round trip. */
  dynamoRoundTripMs: 5,
  /** Per SES SendEmail (the mail sender). */
  sesCallMs: 20,
} as const;

/** A usage profile: {@link USAGE}, or a what-if of row 7 with one figure changed. */
export type Usage = { readonly [K in keyof typeof USAGE]: number };

/**
 * Calls per monthly active user per month. Protected calls are the user's requests to the
 * deployer's OTHER services, each passing the Latch authorizer (a Lambda invocation and one
 * session read unless API Gateway's result cache answers).
 */
export const USAGE = {
  protectedCalls: 300,
  signIns: 4,
  renewals: 60,
  signOuts: 1,
  /** New accounts per MAU (each with a confirmation). */
  registrations: 0.1,
  /** Password resets per MAU (each a request, which mails the link, and the new password). */
  resets: 0.05,
  /** Security notices (lockouts, new sign-in methods, changed addresses) per MAU; a reset's own notice is priced with the reset. */
  notices: 0.05,
  /** Share of invocations that start a container (billed init since AWS bills INIT for on-demand functions). */
  coldStartShare: 0.01,
  /** Bytes of one audit event (one per sign-in, registration, confirmation, sign-out, reset request and reset; none per renewal or decision). */
  auditEventBytes: 1024,
  /**
   * Bytes of one audit index entry that projects keys only: the table's keys (`USER#<ulid>`,
   * `<ISO time>#<ulid>`: about 85 B with their names), the index's (about 60-110 B) and DynamoDB's
   * 100 B of overhead per index item. An `ALL` entry is a whole copy of the event.
   */
  auditIndexEntryBytes: 300,
  /** Months of audit events kept (`AUTH_AUDIT_RETENTION_DAYS` 365): storage at steady state. */
  auditRetentionMonths: 12,
  /** Bytes stored per user outside the audit log (user, claim, a few sessions). */
  userBytes: 3072,
} as const;

export const MAU_LEVELS = [10_000, 100_000, 1_000_000] as const;

/** The flows that are priced, and the function that serves each. */
export const PRICED_FLOWS = {
  register: 'registration',
  confirm: 'email-confirmation',
  'sign-in': 'session',
  renew: 'renewal',
  authorize: 'authorizer',
  'sign-out': 'session',
  'reset-request': 'password-reset',
  reset: 'password-reset',
} as const;
export type PricedFlow = keyof typeof PRICED_FLOWS;

/** What one call of a flow costs in resources (measured: CPU, request units, round trips). */
export interface FlowCost {
  cpuMs: number;
  readUnits: number;
  writeUnits: number;
  roundTrips: number;
  /** Mails the call queues (each then costs a mail-sender invocation and an SES send). */
  mails: number;
  /** Audit events it writes (their storage; their index copies are in the metered write units). */
  auditEvents: number;
}

export interface MonthlyLine {
  mau: number;
  latch: { api: number; lambda: number; dynamodb: number; storage: number; ses: number; total: number };
  cognito: { lite: number; essentials: number; plus: number };
  /** Calls per month by flow (authorizer decisions included). */
  calls: Record<PricedFlow, number>;
}

/** Cold-start init milliseconds per function (row 6 when it ran; else this). */
export const DEFAULT_INIT_MS = 250;

/** Billed milliseconds of one call: CPU stretched by the function's CPU share, plus waits. */
export function billedMs(flow: Pick<FlowCost, 'cpuMs' | 'roundTrips'>, memoryMb: number): number {
  return flow.cpuMs * Math.max(1, FULL_VCPU_MB / memoryMb) + flow.roundTrips * LATENCY.dynamoRoundTripMs;
}

/** Authorizer invocations per MAU: every protected call at TTL 0, else at most one per token and cache period. */
export function authorizerDecisions(shape: Pick<DeployedShape, 'authorizerCacheTtlSeconds' | 'accessTokenTtlSeconds'>, usage: Usage = USAGE): number {
  if (shape.authorizerCacheTtlSeconds === 0) return usage.protectedCalls;
  const tokens = usage.signIns + usage.renewals + usage.registrations;
  return Math.min(usage.protectedCalls, tokens * Math.ceil(shape.accessTokenTtlSeconds / shape.authorizerCacheTtlSeconds));
}

/** Bytes stored per audit event: the table's item and one entry per index, by its deployed projection. */
export function auditBytesPerEvent(shape: Pick<DeployedShape, 'auditIndexProjections'>): number {
  let bytes: number = USAGE.auditEventBytes;
  for (const projection of shape.auditIndexProjections) bytes += projection === 'KEYS_ONLY' ? USAGE.auditIndexEntryBytes : USAGE.auditEventBytes;
  return bytes;
}

/** The model at each MAU level. `initMs` by function name (cold starts). */
export function monthlyCost(
  flows: Record<PricedFlow, FlowCost>,
  shape: DeployedShape,
  initMs: Record<string, number> = {},
  usage: Usage = USAGE,
): MonthlyLine[] {
  const perMau: Record<PricedFlow, number> = {
    register: usage.registrations,
    confirm: usage.registrations,
    'sign-in': usage.signIns,
    renew: usage.renewals,
    authorize: authorizerDecisions(shape, usage),
    'sign-out': usage.signOuts,
    'reset-request': usage.resets,
    reset: usage.resets,
  };
  const fnOf = (flow: PricedFlow) => shape.functions[PRICED_FLOWS[flow]];
  return MAU_LEVELS.map((mau) => {
    const line = { api: 0, lambda: 0, dynamodb: 0, storage: 0, ses: 0, total: 0 };
    const calls = {} as MonthlyLine['calls'];
    let mails = 0;
    let auditEvents = 0;
    for (const flow of Object.keys(perMau) as PricedFlow[]) {
      const n = mau * perMau[flow];
      calls[flow] = n;
      const fn = fnOf(flow);
      if (!fn) throw new Error(`no deployed function for ${flow}`);
      const cost = flows[flow];
      const gb = fn.memoryMb / 1024;
      const rate = PRICES.lambdaGbSecond[fn.architecture];
      const init = (initMs[PRICED_FLOWS[flow]] ?? DEFAULT_INIT_MS) * usage.coldStartShare;
      line.lambda += n * (((billedMs(cost, fn.memoryMb) + init) / 1000) * gb * rate + PRICES.lambdaPerMillion / 1e6);
      // The authorizer runs behind the deployer's API: a Lambda call, not a Latch HTTP API request.
      if (flow !== 'authorize') line.api += (n * PRICES.httpApiPerMillion) / 1e6;
      // The metered units include the index copies (of audit events, of the user item).
      line.dynamodb += (n * (cost.writeUnits * PRICES.writeUnitPerMillion + cost.readUnits * PRICES.readUnitPerMillion)) / 1e6;
      mails += n * cost.mails;
      auditEvents += n * cost.auditEvents;
    }
    mails += mau * usage.notices;
    // The mail sender: one stream-triggered invocation per mail (stream reads by Lambda triggers
    // are free), an SES send, and the outbox item's delete (1 write unit).
    const sender = shape.functions['mail-sender'];
    if (!sender) throw new Error('no mail sender in the deployed shape');
    line.lambda +=
      mails *
      (((LATENCY.sesCallMs + LATENCY.dynamoRoundTripMs) / 1000) * (sender.memoryMb / 1024) * PRICES.lambdaGbSecond[sender.architecture] +
        PRICES.lambdaPerMillion / 1e6);
    line.dynamodb += (mails * PRICES.writeUnitPerMillion) / 1e6;
    line.ses = (mails * PRICES.sesPerThousand) / 1000;
    // Storage at steady state: users, and the audit log over its retention (the table's copy and
    // one entry per index as deployed; every event counted in both indexes).
    const auditGb = (auditEvents * auditBytesPerEvent(shape) * usage.auditRetentionMonths) / 1e9;
    line.storage = ((mau * usage.userBytes) / 1e9 + auditGb) * PRICES.storageGbMonth;
    line.total = line.api + line.lambda + line.dynamodb + line.storage + line.ses;
    const billable = Math.max(0, mau - PRICES.cognito.freeMau);
    return {
      mau,
      latch: line,
      calls,
      cognito: { lite: billable * PRICES.cognito.lite, essentials: billable * PRICES.cognito.essentials, plus: billable * PRICES.cognito.plus },
    };
  });
}

/** Lambda memory sizes row 8 compares, as Lambda Power Tuning would. */
export const MEMORY_SIZES = [512, 1024, 1769, 3008] as const;

export interface MemoryOption {
  memoryMb: number;
  /** Modelled duration of one invocation (ms): CPU at the size's CPU share, plus round trips. */
  latencyMs: number;
  /** Dollars per million invocations (arm64), requests included. */
  costPerMillion: number;
}

/**
 * The memory table of one function from its measured CPU time: below 1,769 MB Lambda gives a
 * share of one vCPU proportional to memory, so CPU-bound time stretches; above it a
 * single-threaded call (argon2id with p=1) gets no faster. The pick is the cheapest size within
 * 10 % of the fastest.
 */
export function memoryTable(
  flow: Pick<FlowCost, 'cpuMs' | 'roundTrips'>,
  sizes: readonly number[] = MEMORY_SIZES,
): { options: MemoryOption[]; pick: MemoryOption } {
  const options = sizes.map((memoryMb) => {
    const latencyMs = billedMs(flow, memoryMb);
    const costPerMillion = 1e6 * ((latencyMs / 1000) * (memoryMb / 1024) * PRICES.lambdaGbSecond.arm64) + PRICES.lambdaPerMillion;
    return { memoryMb, latencyMs, costPerMillion };
  });
  const fastest = Math.min(...options.map((o) => o.latencyMs));
  const near = options.filter((o) => o.latencyMs <= fastest * 1.1);
  const pick = near.reduce((best, o) => (o.costPerMillion < best.costPerMillion ? o : best));
  return { options, pick };
}
