import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { closeServer, listen } from '../../infra/local/oidc-provider.js';

/**
 * Test providers on loopback for social sign-in (`docs/specs/social-sign-in.md` §10.1): a real
 * OpenID provider (`oidc-provider`, in `infra/local/oidc-provider.ts`, which `npm start` runs too), a GitHub-like OAuth 2.0 fake, an ID-token signer with a JWKS
 * (native route, fault injection), and the "browser" that plays the user through a flow with
 * `fetch` and a cookie jar. Nothing leaves the machine.
 */

export { startTestOp, type TestAccount, type TestOp } from '../../infra/local/oidc-provider.js';

/** A minimal cookie jar: name → value (paths ignored; the OP's cookie names are distinct). */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq > 0) this.cookies.set((pair as string).slice(0, eq).trim(), (pair as string).slice(eq + 1).trim());
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Plays the user: opens the authorization URL (with `login_hint` added), follows every redirect
 * with a cookie jar, and returns the URL the provider finally sent the browser to on the app's
 * redirect URI (with `code`, `state`, `iss`, or `error`).
 */
export async function authorizeAs(authorizationUrl: string, sub: string, redirectUri: string): Promise<string> {
  const jar = new CookieJar();
  const start = new URL(authorizationUrl);
  start.searchParams.set('login_hint', sub);
  let next = start.href;
  for (let hop = 0; hop < 20; hop++) {
    if (next.startsWith(redirectUri)) return next;
    const response = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response);
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`);
    await response.arrayBuffer().catch(() => undefined);
    next = new URL(location, next).href;
  }
  throw new Error('too many redirects');
}

// -------------------------------------------------------------------------------------------------
// GitHub-like OAuth 2.0 fake

export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

export interface GitHubUser {
  id: number;
  login: string;
  name?: string;
  emails: GitHubEmail[];
}

export interface GitHubFake {
  base: string;
  clientId: string;
  clientSecret: string;
  users: Map<string, GitHubUser>;
  /** The `github` preset's endpoint overrides pointing here. */
  endpoints: { authorization: string; token: string; userinfo: string; emails: string };
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/**
 * A GitHub-like provider: `authorize` redirects at once for the user named by `login_hint`;
 * `access_token` checks the code, client and PKCE verifier; `user` and `user/emails` answer for
 * the token's user.
 */
export async function startGitHubFake(): Promise<GitHubFake> {
  const clientId = 'gh-client';
  const clientSecret = randomBytes(16).toString('hex');
  const users = new Map<string, GitHubUser>();
  const codes = new Map<string, { login: string; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, string>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/login/oauth/authorize') {
      const login = url.searchParams.get('login_hint') ?? '';
      const redirect = new URL(url.searchParams.get('redirect_uri') ?? '');
      if (!users.has(login)) {
        redirect.searchParams.set('error', 'access_denied');
      } else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, { login, challenge: url.searchParams.get('code_challenge') ?? '', redirectUri: url.searchParams.get('redirect_uri') ?? '' });
        redirect.searchParams.set('code', code);
      }
      redirect.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.statusCode = 302;
      res.setHeader('location', redirect.href);
      return res.end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const entry = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const { createHash } = await import('node:crypto');
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (
        !entry ||
        form.get('client_id') !== clientId ||
        form.get('client_secret') !== clientSecret ||
        challenge !== entry.challenge ||
        form.get('redirect_uri') !== entry.redirectUri
      ) {
        return sendJson(res, 400, { error: 'bad_verification_code' });
      }
      const token = randomBytes(16).toString('hex');
      tokens.set(token, entry.login);
      return sendJson(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const login = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
    const user = login ? users.get(login) : undefined;
    if (!user) return sendJson(res, 401, { message: 'Bad credentials' });
    if (url.pathname === '/user') return sendJson(res, 200, { id: user.id, login: user.login, name: user.name ?? null });
    if (url.pathname === '/user/emails') return sendJson(res, 200, user.emails);
    return sendJson(res, 404, { message: 'Not Found' });
  });
  const port = await listen(server);
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    clientId,
    clientSecret,
    users,
    endpoints: {
      authorization: `${base}/login/oauth/authorize`,
      token: `${base}/login/oauth/access_token`,
      userinfo: `${base}/user`,
      emails: `${base}/user/emails`,
    },
    close: () => closeServer(server),
  };
}

// -------------------------------------------------------------------------------------------------
// ID-token fake (native route, fault injection)

export interface IdTokenFake {
  issuer: string;
  jwksUri: string;
  /** Signs an ID token; `claims` override the defaults (`iss`, `aud`, `iat`, `exp`). */
  sign(claims: Record<string, unknown>, options?: { kid?: string; alg?: 'none' }): Promise<string>;
  /** `hang`: the JWKS never answers (a timeout); `fail`: it answers 500. */
  jwksMode: 'ok' | 'hang' | 'fail';
  /** The token endpoint's answer: `hang` never answers, `fail` is a 500, a string is the ID token it returns. */
  tokenMode: 'hang' | 'fail' | string;
  /** The form of the last token request (to check the client authentication it carried). */
  lastTokenRequest: URLSearchParams | undefined;
  close(): Promise<void>;
}

/** A JWKS endpoint on loopback with a `jose` signer whose key it publishes (and metadata for discovery). */
export async function startIdTokenFake(audience: string): Promise<IdTokenFake> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'fake-1', alg: 'RS256', use: 'sig' };
  const fake: Partial<IdTokenFake> & { jwksMode: IdTokenFake['jwksMode']; tokenMode: IdTokenFake['tokenMode'] } = {
    jwksMode: 'ok',
    tokenMode: 'fail',
    lastTokenRequest: undefined,
  };
  const server = createServer((req, res) => {
    if (req.url === '/jwks') {
      if (fake.jwksMode === 'hang') return; // never answers
      if (fake.jwksMode === 'fail') return sendJson(res, 500, {});
      return sendJson(res, 200, { keys: [publicJwk] });
    }
    if (req.url === '/token') {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        fake.lastTokenRequest = new URLSearchParams(body);
        if (fake.tokenMode === 'hang') return;
        if (fake.tokenMode === 'fail') return sendJson(res, 500, { error: 'server_error' });
        return sendJson(res, 200, { access_token: 'fake-access-token', token_type: 'bearer', expires_in: 60, id_token: fake.tokenMode });
      });
      return;
    }
    return sendJson(res, 404, {});
  });
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  return Object.assign(fake, {
    issuer,
    jwksUri: `${issuer}/jwks`,
    async sign(claims: Record<string, unknown>, options: { kid?: string; alg?: 'none' } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: issuer, aud: audience, iat: now, exp: now + 600, ...claims };
      if (options.alg === 'none') {
        const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
      }
      return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'fake-1' }).sign(privateKey);
    },
    close: () => closeServer(server),
  }) as IdTokenFake;
}
