import { randomUUID } from 'node:crypto';
import type { RequestInfo } from '../flows/deps.js';
import type { Target } from './target.js';

/**
 * The operator behind a CLI command, as the audit log names them (`actor: { kind: 'operator',
 * id }`): `local` for the local stack and DynamoDB Local; for AWS, the caller's principal ARN
 * (spec §2). Until the STS lookup lands, AWS targets get a placeholder.
 */
export async function operatorOf(target: Pick<Target, 'kind' | 'endpoint'>): Promise<string> {
  if (target.kind === 'local' || target.endpoint !== undefined) return 'local';
  return 'aws:unknown';
}

/** The request of one CLI command: no address or user agent, a fresh request id, the operator. */
export async function cliRequest(target: Pick<Target, 'kind' | 'endpoint'>): Promise<RequestInfo> {
  return { ip: null, userAgent: null, requestId: randomUUID(), operator: await operatorOf(target) };
}
