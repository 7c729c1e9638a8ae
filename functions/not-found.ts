import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfigWith } from '../shared/config.js';
import type { Result } from '../shared/http/function.js';
import { notFoundResponse } from '../shared/http/problem.js';
import { isGreedyRoute, isHostedUiRoute, matchPath } from '../shared/http/routes.js';
import { existingDeps } from '../shared/runtime/container.js';

// Only the configuration (CORS origins): no store, keys or mail. The deps the process already
// has where functions share one (the local runner, in-process tests), else the environment's,
// checked at cold start like every function's (no section of `ConfigSections`: it reads none).
const config = existingDeps()?.config ?? loadConfigWith(process.env, {});

/**
 * API Gateway's `$default` route: unknown paths get problem+json 404, known paths with another
 * method 405 (with `Allow`), and CORS preflights of known paths 204 with the CORS headers. A POST
 * to an unknown `/ui/…` path is a 404 here too (only a GET gets the pages' HTML 404).
 */
export const handler = middy<APIGatewayProxyEventV2, Result>()
  .use(httpCors({ origins: config.corsOrigins, headers: 'authorization,content-type', methods: 'GET,POST,PUT,PATCH,DELETE,OPTIONS', maxAge: 600 }))
  .handler(async (event) => {
    // A greedy route (`GET /ui/{proxy+}`, the pages' HTML 404) names no resource; without the UI its rows are not deployed.
    const matches = matchPath(event.rawPath ?? '/').filter((m) => !isGreedyRoute(m.route) && (config.ui.enabled || !isHostedUiRoute(m.route)));
    const method = event.requestContext?.http?.method ?? 'GET';
    const allow = [...new Set(matches.map((m) => m.route.method))];
    let response: Result;
    if (allow.length === 0) response = notFoundResponse('not_found');
    else if (method === 'OPTIONS') response = { statusCode: 204, headers: {}, body: '' };
    else response = notFoundResponse('method_not_allowed', allow);
    return {
      ...response,
      headers: {
        ...(response.headers as Record<string, string>),
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      },
    };
  });
