/**
 * Synthesizes the Latch app the way `infra/app.ts` does (same stack, same cdk-nag plugin) into a
 * temporary folder, once per process and options: node's test runner gives every test file its
 * own process, and esbuild bundling of every function is the slow part, so files that only look
 * at the template skip bundling (the template is the same apart from asset hashes).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { App, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { AwsSolutionsChecks } from 'cdk-nag';
import { type AuthStack, createLatchApp } from '../../infra/auth-stack.js';
import { PROJECT_ROOT } from '../../infra/constructs/latch-function.js';

/** How to synthesize. */
export interface SynthOptions {
  /** Run esbuild and the asset hooks (slow); otherwise assets are not bundled. @default false */
  bundle?: boolean;
  /** CDK's built-in CloudFormation schema validation (about 4 s). @default false */
  cfnValidation?: boolean;
  /** Extra CDK context (the stack's settings); `demo: true` (placeholder appUrl and mailFrom allowed) unless given. */
  context?: Record<string, unknown>;
}

/** A synthesized app. */
export interface Synthesized {
  app: App;
  stack: AuthStack;
  nag: AwsSolutionsChecks;
  assembly: CloudAssembly;
  outdir: string;
  /** The stack's template as JSON. */
  json: TemplateJson;
  template: Template;
  /** What CDK wrote to `validation-report.json` (absent when no plugin reported anything). */
  validationReport: ValidationReport | undefined;
  /** Logical id of a Latch function's `AWS::Lambda::Function` (`registration`, `authorizer`, …). */
  functionLogicalId(name: string): string;
  /** Milliseconds the construction and synth took. */
  elapsedMs: number;
}

/** A CloudFormation resource, loosely typed for assertions. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, unknown>;
}

/** A CloudFormation template, loosely typed for assertions. */
export interface TemplateJson {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
  [key: string]: unknown;
}

/** The parts of CDK's `validation-report.json` the tests read. */
export interface ValidationReport {
  pluginReports: Array<{ pluginName: string; conclusion: string; violations: Array<{ ruleName: string; severity: string }> }>;
}

/**
 * `cdk.json`'s context (settings and feature flags), which the CDK CLI passes to `infra/app.ts`:
 * the tests synthesize what `npx cdk synth` does.
 */
export const CDK_JSON_CONTEXT: Record<string, unknown> = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
).context;

const cache = new Map<string, Synthesized>();
const outdirs: string[] = [];
process.once('exit', () => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes (or returns this process's earlier synthesis with the same options). */
export function synthLatch(options: SynthOptions = {}): Synthesized {
  const key = JSON.stringify(options);
  const cached = cache.get(key);
  if (cached) return cached;

  const started = Date.now();
  const outdir = mkdtempSync(path.join(tmpdir(), 'latch-infra-'));
  outdirs.push(outdir);
  const context: Record<string, unknown> = {
    ...CDK_JSON_CONTEXT,
    demo: true,
    ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    ...options.context,
  };
  const { app, stack, nag } = createLatchApp({ outdir, context, builtinCloudFormationValidation: options.cfnValidation ?? false });
  const assembly = app.synth();
  const json = assembly.getStackArtifact(stack.artifactId).template as TemplateJson;
  let validationReport: ValidationReport | undefined;
  try {
    validationReport = JSON.parse(readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  } catch {
    validationReport = undefined;
  }
  const synthesized: Synthesized = {
    app,
    stack,
    nag,
    assembly,
    outdir,
    json,
    template: Template.fromJSON(json),
    validationReport,
    functionLogicalId(name) {
      const fn = stack.latch.functions.get(name);
      if (!fn) throw new Error(`no Latch function ${name}`);
      return stack.getLogicalId(fn.function.node.defaultChild as import('aws-cdk-lib').CfnElement);
    },
    elapsedMs: Date.now() - started,
  };
  cache.set(key, synthesized);
  return synthesized;
}

/** The nag pack's report over the app (acknowledged findings are not in it). */
export function nagReport(synthesized: Synthesized): PolicyValidationPluginReport {
  return synthesized.nag.validateScope(synthesized.app);
}
