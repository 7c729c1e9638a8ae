/**
 * Cookies, CSRF tokens, the origin check, headers and `return` targets of the hosted pages
 * (docs/specs/hosted-ui.md §3–§4).
 */
import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { safeEqual } from '../domain/secrets.js';

export const COOKIES = { session: '__Host-latch_ui', csrf: '__Host-latch_csrf', lang: '__Host-latch_lang', mfa: '__Host-latch_mfa' } as const;

/** The request's cookies: payload 2.0 carries them in `cookies`, the local runner in the header. */
export function cookiesOf(event: APIGatewayProxyEventV2): Record<string, string> {
  const pairs = [...(event.cookies ?? []), ...(event.headers?.cookie ?? '').split(';')];
  const found: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (name && !(name in found) && value.length <= 512) found[name] = value;
  }
  return found;
}

/** A `Set-Cookie` value with the production flags (§3): `__Host-`, Secure, HttpOnly, Path=/, SameSite=Lax. */
export function setCookie(name: string, value: string, maxAgeSeconds?: number): string {
  const age = maxAgeSeconds === undefined ? '' : `; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
  return `${name}=${value}; Path=/; Secure; HttpOnly; SameSite=Lax${age}`;
}

export function clearCookie(name: string): string {
  return setCookie(name, '', 0);
}

/** 256 random bits, base64url. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function derive(secret: Uint8Array, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));
}

/**
 * The synchronizer token of a form. Before sign-in: HMAC-SHA256(UI key, csrf cookie + form id),
 * the UI key derived with HKDF (`info` `latch-ui-csrf`) from a deployment secret; after sign-in:
 * HMAC-SHA256(the session's `csrfSecret`, form id), so it dies with the session.
 */
export function csrfToken(binding: CsrfBinding, formId: string): string {
  if (binding.kind === 'session') return createHmac('sha256', binding.sessionSecret).update(formId).digest('base64url');
  return createHmac('sha256', derive(binding.uiSecret, 'latch-ui-csrf')).update(`${binding.cookie}|${formId}`).digest('base64url');
}

export type CsrfBinding = { kind: 'session'; sessionSecret: Uint8Array } | { kind: 'anonymous'; uiSecret: Uint8Array; cookie: string };

export function csrfValid(binding: CsrfBinding, formId: string, presented: string | undefined): boolean {
  if (!presented || presented.length > 100) return false;
  if (binding.kind === 'anonymous' && binding.cookie.length < 40) return false;
  return safeEqual(csrfToken(binding, formId), presented);
}

/**
 * The origin check (defence in depth): `Origin` must be the UI's; without one,
 * `Sec-Fetch-Site` must say `same-origin`. A browser that sends neither is refused too.
 */
export function originAllowed(headers: Record<string, string | undefined>, uiOrigin: string): boolean {
  const origin = headers.origin;
  if (origin !== undefined) return origin === uiOrigin;
  return headers['sec-fetch-site'] === 'same-origin';
}

/** The Content-Security-Policy of every page (§4). */
export function contentSecurityPolicy(formActions: string[] = [], imgSources: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data:${imgSources.map((s) => ` ${s}`).join('')}`,
    "connect-src 'self'",
    `form-action 'self'${formActions.map((a) => ` ${a}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * Headers of every page answer (assets excepted): not cached, not framed, no inline code.
 * `formActions`: the hand-off clients' redirect origins (§4), so that a form sign-in can end in
 * the redirect to a registered client; `imgSources`: the logo's origin (§9).
 */
export function pageHeaders(options: { formActions?: string[]; imgSources?: string[] } = {}): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(options.formActions ?? [], options.imgSources ?? []),
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    // Not `no-referrer`: with it Chromium sends `Origin: null` on form posts. `same-origin` still
    // keeps link tokens in paths from reaching other sites.
    'referrer-policy': 'same-origin',
  };
}

/**
 * A `return` target, or undefined: only a same-origin path under `/ui/` (or the hand-off's
 * `/oauth2/authorize?…`) is followed (ASVS 3.7.2); anything else is ignored.
 */
export function safeReturn(value: string | undefined, uiOrigin: string): string | undefined {
  if (!value || value.length > 2048 || !value.startsWith('/') || value.startsWith('//') || /[\\\s]/.test(value)) return undefined;
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return undefined;
  let url: URL;
  try {
    url = new URL(value, uiOrigin);
  } catch {
    return undefined;
  }
  if (url.origin !== uiOrigin) return undefined;
  if (!(url.pathname.startsWith('/ui/') || url.pathname === '/oauth2/authorize')) return undefined;
  if (url.pathname.startsWith('/ui/assets/')) return undefined;
  return `${url.pathname}${url.search}`;
}
