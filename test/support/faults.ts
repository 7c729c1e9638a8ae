/**
 * Fault injection for AWS SDK v3 clients: a middleware pair that counts the calls of a flow
 * (one per `send`, across every client it is attached to) and makes the k-th call fail, on its
 * first attempt only (the SDK's retry recovers) or on every attempt (the retries give up).
 *
 * The failure is thrown from the `deserialize` step, which runs inside the SDK's retry
 * middleware, so the SDK classifies and retries it exactly as it would a real response:
 * - `throttle`: DynamoDB's `ProvisionedThroughputExceededException` (HTTP 400), SES's `Throttling`;
 * - `timeout`: a socket time-out (`TimeoutError`, `ETIMEDOUT`), as the Node HTTP handler throws;
 * - `5xx`: DynamoDB's `InternalServerError` (HTTP 500), SES's `ServiceUnavailable` (HTTP 503).
 * The request never reaches the service, so an injected fault never half-applies a write.
 */
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';

export type Fault = 'throttle' | 'timeout' | '5xx';
export const FAULTS: Fault[] = ['throttle', 'timeout', '5xx'];
/** `once`: the first attempt fails (retried and recovered); `always`: every attempt fails. */
export type FaultMode = 'once' | 'always';

export interface FaultPlan {
  /** Count calls (and inject, when `target` is set). */
  active: boolean;
  /** 1-based index of the call that fails; 0 for none. */
  target: number;
  fault: Fault;
  mode: FaultMode;
  /** What was called, in order, while active (`dynamodb:GetItemCommand`, `ses:SendEmailCommand`). */
  trace: string[];
  /** Attempts made of the target call. */
  attempts: number;
  /** 1-based indexes of the calls that succeeded (after the SDK's retries). */
  succeeded: Set<number>;
}

export function newPlan(): FaultPlan {
  return { active: false, target: 0, fault: 'throttle', mode: 'once', trace: [], attempts: 0, succeeded: new Set() };
}

/** Starts counting the calls of one flow; with `target`, its k-th call fails. */
export function arm(plan: FaultPlan, target = 0, fault: Fault = 'throttle', mode: FaultMode = 'once'): void {
  Object.assign(plan, { active: true, target, fault, mode, trace: [], attempts: 0, succeeded: new Set() });
}

export function disarm(plan: FaultPlan): void {
  plan.active = false;
  plan.target = 0;
}

function vendorError(service: 'dynamodb' | 'ses', fault: Fault): Error {
  const $metadata = { httpStatusCode: 400, requestId: 'injected', attempts: 1, totalRetryDelay: 0 };
  if (fault === 'timeout') return Object.assign(new Error('socket hang up: timed out'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
  if (service === 'dynamodb') {
    return fault === 'throttle'
      ? new ProvisionedThroughputExceededException({ message: 'Throughput exceeds the provisioned rate (injected)', $metadata })
      : new InternalServerError({ message: 'Internal server error (injected)', $metadata: { ...$metadata, httpStatusCode: 500 } });
  }
  return fault === 'throttle'
    ? Object.assign(new Error('Maximum sending rate exceeded (injected)'), { name: 'Throttling', $fault: 'client', $metadata })
    : Object.assign(new Error('Service unavailable (injected)'), {
        name: 'ServiceUnavailable',
        $fault: 'server',
        $metadata: { ...$metadata, httpStatusCode: 503 },
      });
}

/**
 * Appended to the trace entry of a call on a failed-sign-in counter (`pk = COUNTER#…`): those
 * single-item writes never join a flow's transaction, so a matrix that asks "did the flow's
 * commit happen before the fault?" must be able to tell them apart.
 */
export const COUNTER_SUFFIX = ' (counter)';

function isCounterCall(args: unknown): boolean {
  const pk = (args as { input?: { Key?: { pk?: unknown } } }).input?.Key?.pk;
  const value = typeof pk === 'string' ? pk : typeof pk === 'object' && pk !== null ? (pk as { S?: unknown }).S : undefined;
  return typeof value === 'string' && value.startsWith('COUNTER#');
}

/** The part of an SDK client's middleware stack used here (its real types are generic per client). */
interface Stack {
  add(middleware: unknown, options: { step: 'initialize' | 'deserialize'; name: string; priority?: 'high' | 'low' }): void;
}

/** Attaches the fault middleware to an SDK client (DynamoDB or SES). */
export function injectFaults(sdkClient: { middlewareStack: unknown }, service: 'dynamodb' | 'ses', plan: FaultPlan): void {
  const client = { middlewareStack: sdkClient.middlewareStack as Stack };
  type Next = (args: unknown) => Promise<unknown>;
  type Ctx = { commandName?: string; latchFaultCall?: number };
  client.middlewareStack.add(
    (next: Next, context: Ctx) => async (args: unknown) => {
      if (!plan.active) return next(args);
      plan.trace.push(`${service}:${context.commandName ?? '?'}${isCounterCall(args) ? COUNTER_SUFFIX : ''}`);
      const call = plan.trace.length;
      context.latchFaultCall = call;
      const result = await next(args);
      plan.succeeded.add(call);
      return result;
    },
    { step: 'initialize', name: 'latchFaultCounter', priority: 'high' },
  );
  client.middlewareStack.add(
    (next: Next, context: Ctx) => async (args: unknown) => {
      if (plan.active && plan.target > 0 && context.latchFaultCall === plan.target) {
        plan.attempts += 1;
        if (plan.mode === 'always' || plan.attempts === 1) throw vendorError(service, plan.fault);
      }
      return next(args);
    },
    { step: 'deserialize', name: 'latchFaultInjector', priority: 'high' },
  );
}
