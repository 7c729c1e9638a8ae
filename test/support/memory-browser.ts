import assert from 'node:assert/strict';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handleUi } from '../../shared/ui/app.js';
import type { MemoryDeps } from './memory.js';

/** The UI's origin in the unit tests of the hosted pages (`APP_URL` = `<ORIGIN>/ui`). */
export const ORIGIN = 'https://app.test';

export interface Answer {
  status: number;
  location: string | undefined;
  html: string;
  cookies: string[];
}

/**
 * A browser over `handleUi` for the pages' unit tests: keeps the cookies, posts forms with their
 * page's token from the UI's origin.
 */
export class MemoryBrowser {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly deps: MemoryDeps,
    readonly userAgent = 'unit-browser/1.0',
  ) {}

  async request(method: 'GET' | 'POST', target: string, form: Record<string, string> = {}, headers: Record<string, string> = {}): Promise<Answer> {
    const url = new URL(target, ORIGIN);
    const event = {
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      queryStringParameters: Object.fromEntries(url.searchParams),
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'user-agent': this.userAgent,
        ...(method === 'POST' ? { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...headers,
      },
      requestContext: { http: { method, sourceIp: '192.0.2.1', userAgent: this.userAgent }, requestId: 'req-1' },
    } as unknown as APIGatewayProxyEventV2;
    const result = await handleUi(this.deps, event, form);
    for (const line of result.cookies ?? []) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (/Max-Age=0/.test(line) || value === '') this.cookies.delete(pair.slice(0, at));
      else this.cookies.set(pair.slice(0, at), value);
    }
    const answerHeaders = (result.headers ?? {}) as Record<string, string>;
    return { status: result.statusCode ?? 200, location: answerHeaders.location, html: String(result.body ?? ''), cookies: result.cookies ?? [] };
  }

  get(target: string): Promise<Answer> {
    return this.request('GET', target);
  }

  /** Submits the form posting to `action` on `html` with its token. */
  submit(html: string, action: string, fields: Record<string, string> = {}): Promise<Answer> {
    return this.request('POST', action, { _csrf: csrfOf(html, action), ...fields });
  }
}

/** The CSRF token of the form on `html` that posts to `action`. */
export function csrfOf(html: string, action: string): string {
  const at = html.indexOf(`action="${action.replaceAll('&', '&amp;')}"`);
  assert.ok(at >= 0, `a form posts to ${action}`);
  const match = /name="_csrf" value="([^"]+)"/.exec(html.slice(at));
  assert.ok(match?.[1], `a token in the form posting to ${action}`);
  return match[1];
}
