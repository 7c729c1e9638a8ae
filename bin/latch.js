#!/usr/bin/env node
// The `latch` admin CLI (`npx latch --help`). The CLI is TypeScript in shared/cli/, run through
// tsx (a runtime dependency) so it calls the very flows the admin API calls, with no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK's notice that Node 20 support ends in 2027 would land in the CLI's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../shared/cli/main.ts');
