/**
 * A cookie-keeping HTTP client for the hosted pages, as a browser would send forms: the
 * `Origin` of the UI, `application/x-www-form-urlencoded`, the page's `_csrf` token.
 */
export interface UiResponse {
  status: number;
  headers: Headers;
  text: string;
  setCookies: string[];
}

export class UiClient {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly userAgent = 'latch-ui-tests/1.0',
  ) {}

  private remember(response: Response): string[] {
    const set = response.headers.getSetCookie();
    for (const line of set) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (/Max-Age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return set;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<UiResponse> {
    const response = await fetch(`${this.base}${path}`, {
      redirect: 'manual',
      headers: { cookie: this.cookieHeader(), 'user-agent': this.userAgent, ...headers },
    });
    const setCookies = this.remember(response);
    return { status: response.status, headers: response.headers, text: await response.text(), setCookies };
  }

  /** Posts a form; `_csrf` is taken from `fromPage` (the HTML of the page showing the form) unless given. */
  async post(path: string, fields: Record<string, string>, options: { origin?: string | null; headers?: Record<string, string> } = {}): Promise<UiResponse> {
    const origin = options.origin === undefined ? new URL(this.base).origin : options.origin;
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(),
        'user-agent': this.userAgent,
        'content-type': 'application/x-www-form-urlencoded',
        ...(origin === null ? {} : { origin }),
        ...options.headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
    const setCookies = this.remember(response);
    return { status: response.status, headers: response.headers, text: await response.text(), setCookies };
  }

  /** Loads a page and submits its form `action` with the page's CSRF token. */
  async submit(pagePath: string, action: string, fields: Record<string, string>): Promise<UiResponse> {
    const page = await this.get(pagePath);
    return this.post(action, { _csrf: csrfOf(page.text, action), ...fields });
  }

  async signIn(email: string, password: string): Promise<UiResponse> {
    const answer = await this.submit('/ui/sign-in', '/ui/sign-in', { email, password });
    if (answer.status !== 303) throw new Error(`UI sign-in failed: ${answer.status}`);
    return answer;
  }
}

/** The `_csrf` value of the form posting to `action` in a page. */
export function csrfOf(html: string, action: string): string {
  const at = html.indexOf(`action="${action}"`);
  if (at < 0) throw new Error(`no form posts to ${action}`);
  const match = /name="_csrf" value="([^"]+)"/.exec(html.slice(at));
  if (!match?.[1]) throw new Error(`no _csrf in the form posting to ${action}`);
  return match[1];
}
