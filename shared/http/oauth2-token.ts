/**
 * `POST /oauth2/token` (`docs/specs/hosted-ui.md` §6): a form body in, RFC 6749 §5.1/§5.2 JSON
 * out (`{ error, error_description }`, not problem+json, because standard clients expect it),
 * `Cache-Control: no-store`, CORS for public clients' https redirect origins.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AuthError } from '../domain/errors.js';
import { corsOrigins } from '../domain/oauth2.js';
import type { Deps } from '../flows/deps.js';
import { basicCredentials, type ClientSecretOf, OAuth2Error, tokenRequest } from '../flows/oauth2.js';
import { problemResponse } from './problem.js';
import { header, rawBody, requestInfo } from './request.js';

type Result = APIGatewayProxyStructuredResultV2;

const FORM = /^application\/x-www-form-urlencoded[\t ]*(;.*)?$/is;

function answer(deps: Deps, event: APIGatewayProxyEventV2, status: number, body: unknown, extra: Record<string, string> = {}): Result {
  const origin = header(event, 'origin');
  const cors: Record<string, string> =
    origin && corsOrigins(deps.config.ui.clients).has(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...cors, ...extra },
    body: JSON.stringify(body),
  };
}

function errorAnswer(deps: Deps, event: APIGatewayProxyEventV2, error: OAuth2Error): Result {
  return answer(
    deps,
    event,
    error.status,
    { error: error.error, error_description: error.description },
    error.basic ? { 'www-authenticate': 'Basic realm="oauth2", charset="UTF-8"' } : {},
  );
}

/** The form's fields; a repeated field is `invalid_request` (RFC 6749 §3.2). */
function formOf(event: APIGatewayProxyEventV2): Record<string, string> {
  if (!FORM.test(header(event, 'content-type') ?? '')) throw new OAuth2Error('invalid_request', 'the body must be application/x-www-form-urlencoded');
  let text: string | undefined;
  try {
    text = rawBody(event);
  } catch {
    throw new OAuth2Error('invalid_request', 'the body is too large', 413);
  }
  const form: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text ?? '')) {
    if (name in form) throw new OAuth2Error('invalid_request', `${name.slice(0, 40)} appears more than once`);
    if (value.length > 4096) throw new OAuth2Error('invalid_request', `${name.slice(0, 40)} is too long`);
    form[name] = value;
  }
  return form;
}

export function oauth2TokenHandler(getDeps: () => Deps, secretOf: ClientSecretOf) {
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<Result> => {
    const deps = getDeps();
    // Without the hosted UI the hand-off does not exist: the API's problem+json 404 (§2).
    if (!deps.config.ui.enabled) return { ...problemResponse('not_found'), headers: { ...problemResponse('not_found').headers, 'cache-control': 'no-store' } };
    try {
      const form = formOf(event);
      const tokens = await tokenRequest(deps, { basic: basicCredentials(header(event, 'authorization')), form }, secretOf, requestInfo(event));
      return answer(deps, event, 200, tokens);
    } catch (error) {
      if (error instanceof OAuth2Error) return errorAnswer(deps, event, error);
      if (error instanceof AuthError && error.code === 'service_unavailable') {
        return answer(deps, event, 503, { error: 'temporarily_unavailable', error_description: 'try again later' }, { 'retry-after': '1' });
      }
      deps.log.error('oauth2-token: failed', {
        flow: 'oauth2',
        requestId: context.awsRequestId,
        errorName: error instanceof Error ? error.name : typeof error,
      });
      return answer(deps, event, 503, { error: 'temporarily_unavailable', error_description: 'try again later' }, { 'retry-after': '1' });
    }
  };
}
