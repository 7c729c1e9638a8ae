/**
 * The custom domain of the API and its hosted pages (docs/specs/hosted-ui.md §9): an API Gateway
 * custom domain name (regional, TLS 1.2) mapped to the API's stage, an alias record when a hosted
 * zone is given, and the `UiUrl` output. `__Host-` cookies need no custom domain (they are
 * host-only and the pages share the API's host): the domain is for branding and passkey RP IDs.
 */
import { CfnOutput } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

/** The `customDomain` prop. */
export interface LatchCustomDomainProps {
  /** e.g. `auth.example.com`. The issuer defaults to `https://<domainName>`; set `appUrl` to `https://<domainName>/ui`. */
  readonly domainName: string;
  /** An ACM certificate for `domainName` in the stack's region (a regional endpoint). */
  readonly certificate: acm.ICertificate;
  /** With a zone, an alias A record `domainName` → the custom domain is made. @default no record */
  readonly hostedZone?: route53.IHostedZone;
}

/** The custom domain, its API mapping and (with a zone) its alias record. */
export class LatchCustomDomain extends Construct {
  readonly domainName: apigwv2.DomainName;
  readonly apiMapping: apigwv2.ApiMapping;
  readonly record: route53.ARecord | undefined;
  /** `https://<domainName>`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: LatchCustomDomainProps & { api: apigwv2.IHttpApi; stage: apigwv2.IStage; hostedUi: boolean }) {
    super(scope, id);
    this.domainName = new apigwv2.DomainName(this, 'DomainName', {
      domainName: props.domainName,
      certificate: props.certificate,
      endpointType: apigwv2.EndpointType.REGIONAL,
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
    });
    this.apiMapping = new apigwv2.ApiMapping(this, 'ApiMapping', { api: props.api, domainName: this.domainName, stage: props.stage });
    // The stage is named `$default` (a literal, no reference): the mapping must wait for it.
    this.apiMapping.node.addDependency(props.stage);
    this.record = props.hostedZone
      ? new route53.ARecord(this, 'AliasRecord', {
          zone: props.hostedZone,
          recordName: props.domainName,
          target: route53.RecordTarget.fromAlias(
            new targets.ApiGatewayv2DomainProperties(this.domainName.regionalDomainName, this.domainName.regionalHostedZoneId),
          ),
        })
      : undefined;
    this.url = `https://${props.domainName}`;
    new CfnOutput(this, 'UiUrl', {
      key: 'UiUrl',
      value: props.hostedUi ? `${this.url}/ui/sign-in` : this.url,
      description: props.hostedUi ? 'The hosted pages on the custom domain (set appUrl to <domain>/ui)' : 'The API on the custom domain',
    });
  }
}
