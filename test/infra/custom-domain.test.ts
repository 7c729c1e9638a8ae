import assert from 'node:assert/strict';
import { test } from 'node:test';
import { synthLatch } from './synth.js';
import { resourcesOfType } from './template.js';

/** The custom domain (docs/specs/hosted-ui.md §9) and the access log format (§2). */

const CERTIFICATE = 'arn:aws:acm:eu-central-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

test('customDomain: a regional domain name with TLS 1.2, mapped to the API stage, an alias record in the zone, issuer https://<domain>, output UiUrl', () => {
  const { json, functionLogicalId, stack } = synthLatch({
    context: {
      hostedUi: { appName: 'Example' },
      customDomain: { domainName: 'auth.example.com', certificateArn: CERTIFICATE, hostedZoneId: 'Z0123456789ABC', zoneName: 'example.com' },
    },
  });
  const [[domainId, domain] = []] = resourcesOfType(json, 'AWS::ApiGatewayV2::DomainName');
  assert.equal(domain?.Properties?.DomainName, 'auth.example.com');
  assert.deepEqual(domain?.Properties?.DomainNameConfigurations, [{ CertificateArn: CERTIFICATE, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' }]);
  const mappings = resourcesOfType(json, 'AWS::ApiGatewayV2::ApiMapping');
  assert.equal(mappings.length, 1);
  const mapping = mappings[0]?.[1].Properties ?? {};
  assert.deepEqual(mapping.DomainName, { Ref: domainId });
  assert.deepEqual(mapping.ApiId, { Ref: stack.getLogicalId(stack.latch.api.node.defaultChild as never) });
  assert.equal(mapping.Stage, '$default');
  const stageId = stack.getLogicalId(stack.latch.stage.node.defaultChild as never);
  assert.ok([mappings[0]?.[1].DependsOn ?? []].flat().includes(stageId), 'the mapping waits for the $default stage');
  const records = resourcesOfType(json, 'AWS::Route53::RecordSet');
  assert.equal(records.length, 1);
  const record = records[0]?.[1].Properties ?? {};
  assert.equal(record.Type, 'A');
  assert.equal(record.HostedZoneId, 'Z0123456789ABC');
  assert.equal(record.Name, 'auth.example.com.');
  assert.match(JSON.stringify(record.AliasTarget), new RegExp(`${domainId}.*RegionalDomainName`));
  const env = (json.Resources[functionLogicalId('session')]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  assert.equal(env.AUTH_ISSUER, 'https://auth.example.com');
  assert.equal(stack.latch.issuer, 'https://auth.example.com');
  assert.deepEqual(json.Outputs?.UiUrl?.Value, 'https://auth.example.com/ui/sign-in');
});

test('customDomain without a hosted zone: no record; an explicit issuer wins', () => {
  const { json, stack } = synthLatch({
    context: { issuer: 'https://id.example.com', customDomain: { domainName: 'auth.example.com', certificateArn: CERTIFICATE } },
  });
  assert.equal(resourcesOfType(json, 'AWS::ApiGatewayV2::DomainName').length, 1);
  assert.equal(resourcesOfType(json, 'AWS::Route53::RecordSet').length, 0);
  assert.equal(stack.latch.issuer, 'https://id.example.com');
  assert.deepEqual(json.Outputs?.UiUrl?.Value, 'https://auth.example.com');
});

test('without customDomain: no domain name, no mapping, no UiUrl', () => {
  const { json } = synthLatch();
  assert.equal(resourcesOfType(json, 'AWS::ApiGatewayV2::DomainName').length, 0);
  assert.equal(resourcesOfType(json, 'AWS::ApiGatewayV2::ApiMapping').length, 0);
  assert.equal(json.Outputs?.UiUrl, undefined);
});

test('API Gateway access logs record $context.routeKey, never $context.path (tokens in link paths stay out of logs)', () => {
  const { json } = synthLatch({ context: { hostedUi: { appName: 'Example' } } });
  const stages = resourcesOfType(json, 'AWS::ApiGatewayV2::Stage');
  assert.ok(stages.length >= 1);
  for (const [, stage] of stages) {
    const format = String((stage.Properties?.AccessLogSettings as { Format?: string } | undefined)?.Format);
    assert.match(format, /\$context\.routeKey/);
    assert.doesNotMatch(format, /\$context\.(path|resourcePath)\b/);
    assert.doesNotMatch(format, /\$context\.(queryString|requestOverride|customDomain\.basePathMatched)/);
  }
});

test('with hostedUi branding: the ui function gets AUTH_UI_LOGO_URL and AUTH_UI_CSS_VARIABLES', () => {
  const cssVariables = { '--latch-color-primary': '#0b5cad', '--latch-radius': '4px' };
  const { json, functionLogicalId } = synthLatch({ context: { hostedUi: { appName: 'Example', logoUrl: 'https://cdn.example.com/l.svg', cssVariables } } });
  const env = (json.Resources[functionLogicalId('ui')]?.Properties?.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  assert.equal(env.AUTH_UI_LOGO_URL, 'https://cdn.example.com/l.svg');
  assert.deepEqual(JSON.parse(String(env.AUTH_UI_CSS_VARIABLES)), cssVariables);
});
