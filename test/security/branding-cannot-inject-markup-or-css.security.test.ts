import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handleUi } from '../../shared/ui/app.js';
import { themeAsset } from '../../shared/ui/theme.js';
import { synthLatch } from '../infra/synth.js';
import { memoryDeps } from '../support/memory.js';

/**
 * Hosted UI property 12 (docs/specs/hosted-ui.md §12.2): branding values outside their patterns
 * and colour pairs below WCAG contrast stop synth; what does pass reaches pages only as escaped
 * text, an attribute, a CSP source and a served stylesheet, never as markup or inline style.
 */

const INJECTIONS: Array<Record<string, unknown>> = [
  { cssVariables: { '--latch-color-text': '#1a1a1a;}body{background:url(https://evil.example/x)}' } },
  { cssVariables: { '--latch-color-primary': 'red' } },
  { cssVariables: { '--latch-radius': '4px}</style><script>alert(1)</script>' } },
  { cssVariables: { '--latch-font-family': 'x;}*{display:none' } },
  { cssVariables: { '--latch-font-family': '"unclosed' } },
  { cssVariables: { 'background-image': 'url(https://evil.example/x)' } },
  { logoUrl: 'javascript:alert(1)' },
  { logoUrl: 'http://cdn.example.com/logo.png' },
  { logoUrl: "https://cdn.example.com/logo.png'; script-src *" },
  // contrast, light and dark
  { cssVariables: { '--latch-color-text': '#aaaaaa' } },
  { cssVariables: { '--latch-color-on-primary-dark': '#93c5fd' } },
  { cssVariables: { '--latch-color-border': '#eeeeee' } },
];

test('Branding cannot inject markup or CSS', async () => {
  for (const branding of INJECTIONS) {
    assert.throws(
      () => synthLatch({ context: { hostedUi: { appName: 'Example', ...branding } } }),
      /hostedUi\.cssVariables|AUTH_UI_LOGO_URL/,
      `synth must stop for ${JSON.stringify(branding)}`,
    );
  }

  // What passes: the app's name is text, the logo an attribute and an img-src origin, the colours a served stylesheet.
  const appName = '<script>alert(1)</script><style>*{}</style>"\' onload="x';
  const variables = { '--latch-color-primary': '#0b5cad', '--latch-font-family': `'Noto Sans', sans-serif` };
  const deps = await memoryDeps({
    AUTH_UI: 'true',
    APP_URL: 'https://app.test/ui',
    AUTH_UI_APP_NAME: appName,
    AUTH_UI_LOGO_URL: 'https://cdn.example.com/logo.svg?a=1&b=2',
    AUTH_UI_CSS_VARIABLES: JSON.stringify(variables),
  });
  const event = { rawPath: '/ui/sign-in', headers: {}, requestContext: { http: { method: 'GET' }, requestId: 'r' } } as unknown as APIGatewayProxyEventV2;
  const page = await handleUi(deps, event, {});
  const html = String(page.body);
  assert.doesNotMatch(html, /<script>alert/);
  assert.doesNotMatch(html, /<style/);
  assert.doesNotMatch(html, /\sstyle=/);
  assert.doesNotMatch(html, /onload="x/);
  assert.match(html, /&lt;script>alert\(1\)&lt;\/script>/);
  assert.match(html, /src="https:\/\/cdn\.example\.com\/logo\.svg\?a=1&amp;b=2"/);
  assert.match(String(page.headers?.['content-security-policy']), /img-src 'self' data: https:\/\/cdn\.example\.com; connect-src/);
  const css = themeAsset(variables).body;
  assert.doesNotMatch(css, /[<>]|url\(|@import|expression/i);
});
