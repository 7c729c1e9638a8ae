import { randomUUID } from 'node:crypto';
import type { RequestInfo } from '../flows/deps.js';
import type { Target } from './target.js';

/**
 * The operator behind a CLI command, as the audit log names them (`actor: { kind: 'operator',
 * id }`, spec §2): `local` against DynamoDB Local (the local stack, or `--table` with an
 * endpoint), where there are no real credentials; against AWS the caller's principal ARN from STS
 * `GetCallerIdentity` (which needs no permission). The one place the CLI decides this.
 */
export async function operatorOf(target: Pick<Target, 'kind' | 'endpoint' | 'region'>): Promise<string> {
  if (target.kind === 'local' || target.endpoint !== undefined) return 'local';
  return callerArn(target.region);
}

/** The ARN of the AWS principal whose credentials the CLI uses. */
export async function callerArn(region: string | undefined): Promise<string> {
  const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient(region ? { region } : {});
  try {
    const { Arn } = await client.send(new GetCallerIdentityCommand({}));
    if (!Arn) throw new Error('STS GetCallerIdentity answered without an Arn');
    return Arn;
  } finally {
    client.destroy();
  }
}

/** The request of one CLI command: no address or user agent, a fresh request id, the operator. */
export async function cliRequest(target: Pick<Target, 'kind' | 'endpoint' | 'region'>): Promise<RequestInfo> {
  return { ip: null, userAgent: null, requestId: randomUUID(), operator: await operatorOf(target) };
}
