/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`). Settings come from CDK context; see
 * `CONTEXT_DEFAULTS` in `auth-stack.ts`. `npx cdk synth` needs neither credentials nor the network.
 */
import { createLatchApp } from './auth-stack.js';

createLatchApp().app.synth();
