/** Row 7's monthly cost model: list prices, usage assumptions, and the arithmetic. */

/** us-east-1 list prices (2024-11) and the Lambda assumptions. */
export const PRICES = {
  httpApiPerMillion: 1.0,
  lambdaGbSecond: 0.0000133334,
  lambdaPerMillion: 0.2,
  /** One full vCPU, so the CPU time measured on one core here applies. */
  lambdaMemoryMb: 1769,
  writeUnitPerMillion: 0.625,
  readUnitPerMillion: 0.125,
  sesPerThousand: 0.1,
  /** Billed wall time per DynamoDB round trip, on top of CPU. */
  dynamoRoundTripMs: 5,
  /** Billed wall time per SES SendEmail. */
  sesCallMs: 20,
  cognito: { freeMau: 10_000, lite: 0.0055, essentials: 0.015, plus: 0.02 },
} as const;

/** Calls per monthly active user per month. */
export const USAGE = { signIns: 4, renewals: 60, otherCalls: 1, authorizerDecisions: 64, mails: 1 } as const;

export const MAU_LEVELS = [10_000, 100_000, 1_000_000] as const;

/** What one call of a flow costs in resources. */
export interface FlowCost {
  cpuMs: number;
  readUnits: number;
  writeUnits: number;
  roundTrips: number;
  mails: number;
}

export interface MonthlyLine {
  mau: number;
  latch: { api: number; lambda: number; dynamodb: number; ses: number; total: number };
  cognito: { lite: number; essentials: number; plus: number };
}

/** Dollars for `calls` calls of a flow, split by service. */
function callCost(flow: FlowCost, calls: number, viaHttpApi: boolean) {
  const billedMs = flow.cpuMs + flow.roundTrips * PRICES.dynamoRoundTripMs + flow.mails * PRICES.sesCallMs;
  const gbSeconds = (billedMs / 1000) * (PRICES.lambdaMemoryMb / 1024);
  return {
    api: viaHttpApi ? (calls * PRICES.httpApiPerMillion) / 1e6 : 0,
    lambda: calls * (gbSeconds * PRICES.lambdaGbSecond + PRICES.lambdaPerMillion / 1e6),
    dynamodb: (calls * (flow.writeUnits * PRICES.writeUnitPerMillion + flow.readUnits * PRICES.readUnitPerMillion)) / 1e6,
    ses: 0,
  };
}

/** The model at each MAU level. */
export function monthlyCost(flows: Record<'register' | 'sign-in' | 'renew' | 'authorize', FlowCost>): MonthlyLine[] {
  return MAU_LEVELS.map((mau) => {
    const parts = [
      callCost(flows['sign-in'], mau * USAGE.signIns, true),
      callCost(flows.renew, mau * USAGE.renewals, true),
      callCost(flows.register, mau * USAGE.otherCalls, true),
      // The authorizer runs behind the customer's API: a Lambda call, not a Latch HTTP API request.
      callCost(flows.authorize, mau * USAGE.authorizerDecisions, false),
    ];
    const sum = (k: 'api' | 'lambda' | 'dynamodb') => parts.reduce((acc, p) => acc + p[k], 0);
    const ses = (mau * USAGE.mails * PRICES.sesPerThousand) / 1000;
    const latch = { api: sum('api'), lambda: sum('lambda'), dynamodb: sum('dynamodb'), ses, total: 0 };
    latch.total = latch.api + latch.lambda + latch.dynamodb + latch.ses;
    const billable = Math.max(0, mau - PRICES.cognito.freeMau);
    return {
      mau,
      latch,
      cognito: { lite: billable * PRICES.cognito.lite, essentials: billable * PRICES.cognito.essentials, plus: billable * PRICES.cognito.plus },
    };
  });
}
