import type { Target } from './target.js';

/**
 * Who the operator is, for the `actor.id` of the events the CLI writes (spec §2: the caller's AWS
 * principal ARN, or `local`). Only the identity: no permission is needed for `GetCallerIdentity`.
 */

/** The ARN of the AWS principal whose credentials the CLI uses (STS `GetCallerIdentity`). */
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

/**
 * The operator of a target: `local` against DynamoDB Local (the local stack, or `--table` with an
 * endpoint), where there are no real credentials; the caller's ARN against AWS.
 */
export async function operatorIdOf(target: Pick<Target, 'endpoint' | 'region'>): Promise<string> {
  return target.endpoint !== undefined ? 'local' : callerArn(target.region);
}
