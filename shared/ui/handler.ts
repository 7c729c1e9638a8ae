import middy from '@middy/core';
import httpUrlencodeBodyParser from '@middy/http-urlencode-body-parser';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { problemResponse } from '../http/problem.js';
import { rawBody } from '../http/request.js';
import { type Composition, getDeps } from '../runtime/lambda-deps.js';
import { handleUi, type Result, tooLargePage, unreadablePage } from './app.js';
import { pageHeaders } from './security.js';

/** The event once the urlencoded body parser has run: `body` is the parsed form (or untouched). */
type FormEvent = APIGatewayProxyEventV2 & { body?: unknown };

/** First value of each field: a repeated field counts once, as the JSON API takes one value. */
function formOf(body: unknown): Record<string, string> {
  if (!body || typeof body !== 'object') return {};
  const form: Record<string, string> = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') form[name] = first;
  }
  return form;
}

/**
 * The `ui` function: the size limit (a 413 page) before anything is parsed, then
 * `@middy/http-urlencode-body-parser` for form posts, then the pages. With `AUTH_UI` off every
 * path answers the API's problem+json 404.
 * `compose`: the optional adapters of the pages (`shared/runtime/optional-adapters.ts`).
 */
export function uiHandler(compose: Composition = {}) {
  const deps = getDeps(compose);
  const notFound = (): Result => ({ ...problemResponse('not_found'), headers: { ...problemResponse('not_found').headers, 'cache-control': 'no-store' } });
  const core = async (event: FormEvent, context: Context): Promise<Result> => {
    if (!deps.config.ui.enabled) return notFound();
    const form = typeof event.body === 'object' ? formOf(event.body) : {};
    try {
      return await handleUi(deps, { ...event, body: undefined } as APIGatewayProxyEventV2, form);
    } catch (error) {
      deps.log.error('ui: unhandled', { flow: 'ui', requestId: context.awsRequestId, errorName: error instanceof Error ? error.name : typeof error });
      return { statusCode: 500, headers: pageHeaders(), body: '<!doctype html><title>Error</title><p>Something went wrong.</p>' };
    }
  };
  return middy<FormEvent, Result>()
    .use({
      before: async (request) => {
        const event = request.event as APIGatewayProxyEventV2;
        // Without the UI nothing is parsed: every path answers the API's 404.
        if (!deps.config.ui.enabled) return notFound();
        try {
          rawBody(event); // throws payload_too_large over 65,536 bytes
        } catch {
          return tooLargePage(deps, { ...event, body: undefined } as APIGatewayProxyEventV2);
        }
        return undefined;
      },
    })
    .use(httpUrlencodeBodyParser({ disableContentTypeError: true }) as unknown as middy.MiddlewareObj<FormEvent, Result>)
    .use({
      // A malformed form body (the parser's 415): the 415 page, never a 500.
      onError: async (request) => {
        const event = { ...(request.event as APIGatewayProxyEventV2), body: undefined } as APIGatewayProxyEventV2;
        const status = (request.error as { statusCode?: number } | null)?.statusCode;
        if (status === 415 || status === 422 || status === 400) {
          request.response = await unreadablePage(deps, event);
          return request.response;
        }
        deps.log.error('ui: unhandled', { flow: 'ui', errorName: request.error instanceof Error ? request.error.name : typeof request.error });
        request.response = { statusCode: 500, headers: pageHeaders(), body: '<!doctype html><title>Error</title><p>Something went wrong.</p>' };
        return request.response;
      },
    })
    .handler(core);
}
