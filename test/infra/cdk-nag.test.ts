/**
 * cdk-nag's AwsSolutions pack, registered on the app as in `infra/app.ts`, has nothing left to
 * report: every finding is fixed or acknowledged with a reason, and every acknowledgement still
 * answers a real finding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { nagReport, synthLatch } from './synth.js';

/** Every acknowledgement recorded in the tree: construct path, rule id, reason. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  const found: Array<{ path: string; id: string; reason: string }> = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id: key.replace(/^annotation::/i, ''), reason });
      }
    }
  }
  return found;
}

test('synth with cdk-nag and CloudFormation validation succeeds with no unacknowledged finding', () => {
  // Synth itself throws on an unacknowledged error; the report also lists warnings.
  const synthesized = synthLatch({ cfnValidation: true });
  const report = nagReport(synthesized);
  assert.deepEqual(
    report.violations.map((v) => `${v.ruleName} (${v.severity}): ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    [],
  );
  assert.equal(report.success, true);
  const failing = (synthesized.validationReport?.pluginReports ?? []).filter((r) => r.conclusion !== 'success' || r.violations.length > 0);
  assert.deepEqual(failing, [], 'validation-report.json lists findings');
});

test('every acknowledgement gives its reason and answers a finding that is really there', () => {
  const { app } = synthLatch({ cfnValidation: true });
  const acks = acknowledgements(app);
  assert.ok(acks.length > 0);
  // The same pack with acknowledgements ignored: what the acknowledgements hide.
  const probe = new AwsSolutionsChecks();
  (probe as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  const raw = probe.validateScope(app).violations;
  for (const ack of acks) {
    assert.ok(ack.reason.length >= 60, `${ack.id} at ${ack.path}: give a real reason`);
    const answered = raw.some(
      (v) => v.ruleName === ack.id && v.violatingResources.some((r) => r.constructPath === ack.path || (r.constructPath ?? '').startsWith(`${ack.path}/`)),
    );
    assert.ok(answered, `stale acknowledgement ${ack.id} at ${ack.path}`);
  }
  console.log(['cdk-nag acknowledgements:', ...acks.map((a) => `  ${a.id} @ ${a.path.replace(/^[^/]+\//, '')}\n    ${a.reason}`)].join('\n'));
});
