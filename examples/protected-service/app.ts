/**
 * CDK app of the example: Latch plus a service protected by it.
 *
 *   npx cdk synth --app "npx tsx examples/protected-service/app.ts"
 *   npx cdk deploy --all --app "npx tsx examples/protected-service/app.ts"
 *
 * Settings are the same CDK context keys as the main app (`cdk.json`).
 */
import { createProtectedServiceApp } from './stack.js';

createProtectedServiceApp().app.synth();
