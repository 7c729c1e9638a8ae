/**
 * CDK app of the "other app" example: a service in its own app and stack, trusting the Latch
 * authorizer deployed by Latch's own app.
 *
 *   npx cdk deploy                                                  # Latch first (exports its authorizer ARN)
 *   npx cdk deploy --app "npx tsx examples/other-app/app.ts"        # imports it by the export
 *   ... -c latchStackName=MyLatch | -c latchAuthorizerArn=arn:aws:lambda:...
 */
import { createOtherApp } from './stack.js';

createOtherApp().app.synth();
