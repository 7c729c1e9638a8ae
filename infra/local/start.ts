/**
 * `npm start`: the whole stack on this machine. DynamoDB Local (in memory), a local SES, and
 * the API served through the same route table and handlers CDK deploys. Prints where
 * everything is and records it in `.latch/local.json` for the CLI. Ctrl-C stops it all.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { protectedRoutePaths } from './api-server.js';
// --- social sign-in: a local OpenID provider (docs/social-sign-in.md "Trying it locally") ---
import { startLocalProvider } from './oidc-provider.js';
import { type Service, startDynamoDbLocal, startSesLocal } from './services.js';
import { startLocalStack } from './stack.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const stateFile = path.join(root, '.latch', 'local.json');
// The local signing key ring (`latch keys` rotates it); made fresh by each start, like the keys were.
const signingKeysFile = path.join(root, '.latch', 'signing-keys.json');
// The SDK's notice that Node 20 support ends in 2027: the deployed functions run Node 22.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function portFrom(name: string, fallback?: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

async function main(): Promise<void> {
  const started: Service[] = [];
  let closeApi: (() => Promise<void>) | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await closeApi?.().catch(() => undefined);
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    rmSync(stateFile, { force: true });
    rmSync(signingKeysFile, { force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0));

  try {
    const port = portFrom('PORT', 3000) as number;
    const dynamo = await startDynamoDbLocal(portFrom('DYNAMODB_PORT'));
    started.push(dynamo);
    const ses = await startSesLocal(portFrom('SES_PORT', 8005));
    started.push(ses);
    const tableName = process.env.LATCH_TABLE_NAME ?? 'latch-local';
    // The hosted pages are on locally unless AUTH_UI says otherwise (docs/hosted-ui.md).
    const uiEnv: Record<string, string> = { AUTH_UI: process.env.AUTH_UI ?? 'true', AUTH_UI_PSEUDO_LOCALES: process.env.AUTH_UI_PSEUDO_LOCALES ?? 'true' };
    // --- social sign-in: unless AUTH_OAUTH_PROVIDERS is set or LATCH_LOCAL_OP=false, provider `local` is an OP on loopback ---
    const localOp = await startLocalProvider({ env: process.env, apiPort: port, opPort: portFrom('OIDC_PORT', 8006) as number });
    if (localOp) {
      started.push(localOp);
      Object.assign(uiEnv, localOp.env);
    }
    // --- end social sign-in ---
    mkdirSync(path.dirname(stateFile), { recursive: true });
    const api = await startLocalStack({ pollOutboxMs: 250, port, dynamoDbEndpoint: dynamo.url, sesEndpoint: ses.url, tableName, signingKeysFile, env: uiEnv });
    closeApi = api.close;
    const state = {
      pid: process.pid,
      apiUrl: api.url,
      mailUrl: ses.url,
      mailStoreUrl: `${ses.url}/store`,
      dynamoDbEndpoint: dynamo.url,
      tableName,
      auditTableName: api.env.LATCH_AUDIT_TABLE_NAME,
      // Local only: the key the runner generated, so the CLI's events hash addresses as the API's.
      auditKey: api.env.LATCH_AUDIT_KEY,
      region: api.env.AWS_REGION,
      signingKeysFile,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
    console.log(
      [
        '',
        'Latch is running locally:',
        `  API             ${api.url}   (try: curl ${api.url}/.well-known/openid-configuration)`,
        `  authorizer demo ${api.url}/_local/protected   (send Authorization: Bearer <accessToken>)`,
        `  passkey test page http://localhost:${port}/_local/passkeys`,
        ...protectedRoutePaths.map((p) => `  example service ${api.url}${p}   (behind the authorizer; see docs/protected-service.md)`),
        ...(api.env.AUTH_UI === 'true' ? [`  hosted pages    ${api.url}/ui/sign-in   (sign-up, reset, account; APP_URL ${api.env.APP_URL ?? ''})`] : []),
        ...(localOp ? localOp.banner : []),
        `  mail viewer     ${ses.url}`,
        `  mail store      ${ses.url}/store   (JSON)`,
        `  DynamoDB Local  ${dynamo.url}   table "${tableName}", audit table "${api.env.LATCH_AUDIT_TABLE_NAME}" (in memory)`,
        `  signing keys    .latch/signing-keys.json   (rotate: npx latch keys rotate; see docs/key-rotation.md)`,
        `  recorded in     .latch/local.json`,
        '',
        'Press Ctrl-C to stop everything.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    console.error(`\nnpm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
  }
}

void main();
