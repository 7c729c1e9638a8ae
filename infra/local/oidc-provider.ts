import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * A real OpenID provider (`oidc-provider`) on loopback, for trying social sign-in with `npm start`
 * and for the tests (`test/support/oidc-provider.ts`; `docs/specs/social-sign-in.md` §10.1).
 * Login and consent finish without a password: the account named by the authorization request's
 * `login_hint` signs in; with `interactive` on, a one-field page asks for an address when there is
 * no hint, and any address becomes a verified account there. Nothing leaves the machine.
 */

/** An account the OP knows: `sub` and the claims it releases. */
export interface TestAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  [claim: string]: unknown;
}

export interface TestOp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts by `sub`: add or change them at any time (the login picks by `login_hint`). */
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

export function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(() => resolve()));
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => resolve(body.slice(0, 4096)));
    req.on('error', reject);
  });
}

/** The local OP's whole login page: one address field (any address signs in, verified). */
function loginPage(res: ServerResponse, uid: string): void {
  res.statusCode = 200;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local provider</title></head><body style="font-family:sans-serif">` +
      `<h1>Local sign-in provider</h1><p>For trying Latch only: any address signs in here, as a verified address.</p>` +
      `<form method="post" action="/interaction/${encodeURIComponent(uid)}"><label>E-mail <input name="email" type="email" required autofocus></label> ` +
      `<button type="submit">Continue</button></form></body></html>`,
  );
}

/**
 * Starts `oidc-provider` on `127.0.0.1` (random port) with one confidential client. Login and
 * consent finish without a browser: the interaction route signs in the account named by the
 * authorization request's `login_hint` and grants every requested scope.
 */
export async function startTestOp(options: {
  redirectUris: string[];
  clientId?: string;
  clientSecret?: string;
  /** A fixed port (`npm start`); default any free one. */
  port?: number;
  /** Ask for an address when the request has no `login_hint` (`npm start`). */
  interactive?: boolean;
}): Promise<TestOp> {
  const accounts = new Map<string, TestAccount>();
  const clientId = options.clientId ?? 'latch-test';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'op-key-1', alg: 'RS256', use: 'sig' };
  const server = createServer();
  const port = await listen(server, options.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;
  // Loaded on use: `npm start` with providers of its own never loads it.
  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [jwk as JWK] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: async () => ({ ...account }) };
    },
  } as never);
  provider.proxy = false;
  const callback = provider.callback();
  server.on('request', async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
    if (!match) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      let hint = String(details.params.login_hint ?? '');
      if (details.prompt.name === 'login' && options.interactive && !accounts.has(hint)) {
        const email = req.method === 'POST' ? new URLSearchParams(await bodyOf(req)).get('email')?.trim() : undefined;
        if (!email) return loginPage(res, String(details.uid));
        hint = `local-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 16)}`;
        accounts.set(hint, { sub: hint, email, email_verified: true, name: email.split('@')[0] });
      }
      if (details.prompt.name === 'login') {
        if (!accounts.has(hint)) {
          await provider.interactionFinished(
            req,
            res,
            { error: 'access_denied', error_description: 'unknown test account' },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: hint } }, { mergeWithLastSubmission: false });
        return;
      }
      const grant = new provider.Grant({ accountId: details.session?.accountId as string, clientId: String(details.params.client_id) });
      grant.addOIDCScope(String(details.params.scope));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (error) {
      res.statusCode = 500;
      res.end(String(error));
    }
  });
  return { issuer, clientId, clientSecret, accounts, close: () => closeServer(server) };
}

/** What `npm start` runs: the OP, the settings that configure it as provider `local`, banner lines. */
export interface LocalProvider {
  name: string;
  url: string;
  port: number;
  env: Record<string, string>;
  banner: string[];
  stop(): Promise<void>;
}

/**
 * `npm start`'s local provider: an interactive OP on `127.0.0.1:<opPort>` configured as provider
 * `local` (preset `oidc`, http on loopback with `AUTH_OAUTH_ALLOW_HTTP_LOOPBACK=true`). Off when
 * `AUTH_OAUTH_PROVIDERS` is set (yours win) or `LATCH_LOCAL_OP=false`. Redirect URIs:
 * `LATCH_LOCAL_OP_REDIRECT_URIS` (comma-separated), default the hosted pages' callback and
 * `http://localhost:5173/oauth/local/callback` (an app on a dev server).
 */
export async function startLocalProvider(options: {
  env: Record<string, string | undefined>;
  apiPort: number;
  opPort: number;
}): Promise<LocalProvider | undefined> {
  const { env } = options;
  if ((env.AUTH_OAUTH_PROVIDERS ?? '').trim() !== '' || /^(false|0)$/i.test(env.LATCH_LOCAL_OP ?? '')) return undefined;
  const redirectUris = (
    env.LATCH_LOCAL_OP_REDIRECT_URIS ??
    // The hosted pages' callback follows APP_URL (loadConfig requires it with AUTH_UI on).
    `${(env.APP_URL ?? `http://127.0.0.1:${options.apiPort}/ui`).replace(/\/+$/, '')}/oauth/local/callback,http://localhost:5173/oauth/local/callback`
  )
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const op = await startTestOp({ redirectUris, clientId: 'latch-local', port: options.opPort, interactive: true });
  const providers = [
    {
      id: 'local',
      preset: 'oidc',
      name: 'Local provider',
      issuer: op.issuer,
      clientId: op.clientId,
      clientSecret: { env: 'LATCH_LOCAL_OP_SECRET' },
      redirectUris,
    },
  ];
  return {
    name: 'oidc-provider',
    url: op.issuer,
    port: Number(new URL(op.issuer).port),
    env: {
      AUTH_OAUTH_PROVIDERS: JSON.stringify(providers),
      AUTH_OAUTH_ALLOW_HTTP_LOOPBACK: 'true',
      LATCH_LOCAL_OP_SECRET: op.clientSecret,
    },
    banner: [
      `  sign-in provider ${op.issuer}   (provider "local": POST /oauth/local/authorize; any address signs in; see docs/social-sign-in.md)`,
      `                   redirect URIs ${redirectUris.join(', ')}`,
    ],
    stop: () => op.close(),
  };
}
