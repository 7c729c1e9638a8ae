import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE } from '../shared/adapters/jwt/aws-jwt-verify-signature.js';
import { AuthError, causeName } from '../shared/domain/errors.js';
import type { Principal } from '../shared/flows/deps.js';
import { verifyAccessToken } from '../shared/flows/token-check.js';
import { getAuthorizerDeps } from '../shared/runtime/authorizer-deps.js';

const deps = getAuthorizerDeps();

/** What backends find in `requestContext.authorizer` (HTTP API: `.lambda`). */
export interface AuthorizerContext {
  userId: string;
  sessionId: string;
  role: string;
  email: string;
  /** RFC 8176 values, space-separated (context values are strings, numbers or booleans). */
  amr: string;
  /** Epoch seconds of the session's last authentication. */
  authTime: number;
  /** `aal1` or `aal2`, computed at check time. */
  aal: string;
  [key: string]: string | number;
}

type HttpApiEvent = APIGatewayRequestAuthorizerEventV2;
type RestEvent = { type: 'TOKEN' | 'REQUEST'; methodArn: string; authorizationToken?: string; headers?: Record<string, string | undefined> | null };
type AuthorizerEvent = HttpApiEvent | RestEvent;
type AuthorizerResult = APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext> | APIGatewayAuthorizerResult;

function bearer(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer[ ]+([^ ]+)$/i.exec(value.trim());
  return match?.[1];
}

function headerOf(headers: Record<string, string | undefined> | null | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * Policy for every method of every route of the API and stage, so API Gateway's authorizer
 * cache (keyed by token) can answer for any route of the API.
 */
function wildcardResource(methodArn: string): string {
  const parts = methodArn.split('/');
  return parts.length >= 2 ? `${parts[0]}/${parts[1]}/*` : methodArn;
}

async function decide(token: string | undefined): Promise<Principal | undefined> {
  try {
    // aws-jwt-verify for the signature: bench row 1 compares this decision with aws-jwt-verify's own.
    const principal = await verifyAccessToken(AWS_JWT_VERIFY_ACCESS_TOKEN_SIGNATURE, deps, token);
    // AUTH_AUTHORIZER_MIN_AAL=aal2: a session below it is denied (API Gateway answers 403).
    if (deps.config.authorizerMinAal === 'aal2' && principal.aal !== 'aal2') return undefined;
    return principal;
  } catch (error) {
    // Every failure denies: a bad token, an unknown session, or a store outage (fail closed).
    // An outage (or a bug) is worth a line: only the name of its cause, never the token.
    if (!(error instanceof AuthError) || error.code === 'service_unavailable') deps.log.warn('token check failed: denied', { causeName: causeName(error) });
    return undefined;
  }
}

/**
 * The authorizer other services attach to their API Gateway routes. It runs the same token check
 * as Latch's own routes (JWT, then one consistent read of the session) and accepts the HTTP API
 * (payload 2.0, simple response) and REST API (REQUEST and TOKEN, IAM policy) event shapes.
 * It never throws: anything unexpected is a deny, which API Gateway answers with its own 403.
 */
export async function handler(event: AuthorizerEvent): Promise<AuthorizerResult> {
  const isObject = typeof event === 'object' && event !== null;
  if (isObject && 'version' in event && event.version === '2.0') {
    const token = bearer(headerOf(event.headers, 'authorization') ?? event.identitySource?.[0]);
    const principal = await decide(token);
    if (!principal) return { isAuthorized: false, context: {} as AuthorizerContext };
    return { isAuthorized: true, context: contextOf(principal) };
  }
  if (isObject && 'methodArn' in event && typeof event.methodArn === 'string') {
    const token = bearer(event.type === 'TOKEN' ? event.authorizationToken : headerOf(event.headers, 'authorization'));
    const principal = await decide(token);
    return {
      principalId: principal?.userId ?? 'anonymous',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: principal ? 'Allow' : 'Deny', Resource: wildcardResource(event.methodArn) }],
      },
      ...(principal ? { context: contextOf(principal) } : {}),
    };
  }
  return { isAuthorized: false, context: {} as AuthorizerContext };
}

function contextOf(principal: Principal): AuthorizerContext {
  return {
    userId: principal.userId,
    sessionId: principal.sessionId,
    role: principal.role,
    email: principal.email,
    amr: (principal.amr ?? ['pwd']).join(' '),
    authTime: principal.authTime ?? 0,
    aal: principal.aal ?? 'aal1',
  };
}
