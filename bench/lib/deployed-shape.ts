/**
 * What row 7 prices, read from the deployment itself instead of assumed: each function's memory
 * size and architecture from the synthesized template (the app `infra/app.ts` deploys, assets not
 * bundled), the authorizer's result cache TTL and the access-token lifetime from the construct's
 * resolved settings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CfnElement } from 'aws-cdk-lib';
import { createLatchApp } from '../../infra/auth-stack.js';
import { loadConfig } from '../../shared/config.js';

export interface FunctionShape {
  memoryMb: number;
  architecture: 'arm64' | 'x86_64';
}

export interface DeployedShape {
  functions: Record<string, FunctionShape>;
  /** API Gateway's authorizer result cache for other services' APIs, seconds (0: every call is a decision). */
  authorizerCacheTtlSeconds: number;
  accessTokenTtlSeconds: number;
  /** The audit table's indexes and what each projects (`KEYS_ONLY` or `ALL`): the storage of every event's index entries. */
  auditIndexProjections: Array<'KEYS_ONLY' | 'ALL' | 'INCLUDE'>;
}

/** Synthesizes the stack (no bundling, about a second) and reads its shape. */
export function readDeployedShape(): DeployedShape {
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-bench-shape-'));
  try {
    const { app, stack } = createLatchApp({ outdir, context: { demo: true, 'aws:cdk:bundling-stacks': [] } });
    const template = app.synth().getStackArtifact(stack.artifactId).template as {
      Resources: Record<
        string,
        {
          Type: string;
          Properties?: { MemorySize?: number; Architectures?: string[]; GlobalSecondaryIndexes?: Array<{ Projection?: { ProjectionType?: string } }> };
        }
      >;
    };
    const functions: Record<string, FunctionShape> = {};
    for (const [name, fn] of stack.latch.functions) {
      const id = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
      const props = template.Resources[id]?.Properties ?? {};
      // CloudFormation's default memory is 128 MB and architecture x86_64 when unset.
      functions[name] = { memoryMb: props.MemorySize ?? 128, architecture: props.Architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64' };
    }
    const mailSender = Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && /MailSender/i.test(id))?.[1];
    if (!mailSender) throw new Error('no mail sender function in the template');
    functions['mail-sender'] = {
      memoryMb: mailSender?.Properties?.MemorySize ?? 256,
      architecture: mailSender?.Properties?.Architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64',
    };
    const session = Object.entries(template.Resources).find(
      ([id]) => id === stack.getLogicalId(stack.latch.functions.get('session')?.function.node.defaultChild as CfnElement),
    )?.[1] as { Properties?: { Environment?: { Variables?: Record<string, unknown> } } } | undefined;
    const variables = session?.Properties?.Environment?.Variables ?? {};
    const auditTable = template.Resources[stack.getLogicalId(stack.latch.auditTable.node.defaultChild as CfnElement)];
    const auditIndexProjections = (auditTable?.Properties?.GlobalSecondaryIndexes ?? []).map(
      (index) => (index.Projection?.ProjectionType ?? 'ALL') as 'KEYS_ONLY' | 'ALL' | 'INCLUDE',
    );
    const ttl = variables.AUTH_ACCESS_TOKEN_TTL_SECONDS;
    return {
      functions,
      authorizerCacheTtlSeconds: stack.latch.authorizerCacheTtl.toSeconds(),
      auditIndexProjections,
      // As deployed: the session function's setting, or loadConfig's default when the app leaves it unset.
      accessTokenTtlSeconds: typeof ttl === 'string' ? Number(ttl) : loadConfig({ APP_URL: 'https://app.example' }).accessTokenTtlSeconds,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
