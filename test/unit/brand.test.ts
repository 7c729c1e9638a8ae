import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadConfig } from '../../shared/config.js';
import { handleUi } from '../../shared/ui/app.js';
import {
  CONTRAST_PAIRS,
  CSS_VARIABLES,
  checkLogoUrl,
  checkTheme,
  contrastErrors,
  contrastRatio,
  patternErrors,
  themeAsset,
  themeCss,
  themeOf,
} from '../../shared/ui/theme.js';
import { memoryDeps } from '../support/memory.js';

/** Branding of the hosted pages (docs/specs/hosted-ui.md §9): patterns, contrast, the theme asset, the logo. */

function getEvent(path: string): APIGatewayProxyEventV2 {
  return {
    rawPath: path,
    headers: {},
    requestContext: { http: { method: 'GET' }, requestId: 'r-1' },
  } as unknown as APIGatewayProxyEventV2;
}

test('contrast ratios follow WCAG 2.x: black on white 21:1, a colour on itself 1:1, #767676 on white just over 4.5:1', () => {
  assert.equal(Math.round(contrastRatio('#000000', '#ffffff') * 100) / 100, 21);
  assert.equal(contrastRatio('#1d4ed8', '#1d4ed8'), 1);
  const grey = contrastRatio('#767676', '#ffffff');
  assert.ok(grey >= 4.5 && grey < 4.6, String(grey));
  assert.equal(contrastRatio('#ffffff', '#767676'), grey, 'symmetric');
});

test('the default theme passes the contrast rule in light and dark', () => {
  assert.deepEqual(contrastErrors(themeOf()), []);
  assert.doesNotThrow(() => checkTheme(undefined));
  assert.doesNotThrow(() => checkTheme({}));
});

test('every listed pair is checked in both schemes: a failing pair names the variable, its twin and the scheme', () => {
  for (const { fg, bg, min } of CONTRAST_PAIRS) {
    const background = fg === '--latch-color-on-primary' ? '#1d4ed8' : '#ffffff';
    const weak = min === 3 ? '#b0b0b0' : '#959595';
    const lightErrors = contrastErrors(themeOf({ [bg]: background, [fg]: weak }));
    assert.ok(
      lightErrors.some((e) => e.startsWith(`${fg} `) && e.includes('(light scheme)')),
      `${fg} on ${bg}: ${lightErrors.join(' | ')}`,
    );
    const darkErrors = contrastErrors(themeOf({ [`${bg}-dark`]: '#121212', [`${fg}-dark`]: '#3a3a3a' }));
    assert.ok(
      darkErrors.some((e) => e.startsWith(`${fg}-dark `) && e.includes('(dark scheme)')),
      `${fg}-dark: ${darkErrors.join(' | ')}`,
    );
  }
});

test('patterns: colours #rrggbb, radius <n>px|<n>rem, font families from letters, digits, spaces, commas, closed quotes and hyphens', () => {
  const good = {
    '--latch-color-primary': '#0B5CAD',
    '--latch-color-primary-dark': '#9cc9ff',
    '--latch-radius': '0.5rem',
    '--latch-font-family': `"Source Sans 3", 'Noto Sans', system-ui, sans-serif`,
  };
  assert.deepEqual(patternErrors(good), []);
  assert.deepEqual(patternErrors({ '--latch-radius': '12px' }), []);
  const bad: Array<[string, string]> = [
    ['--latch-color-text', 'red'],
    ['--latch-color-text', '#fff'],
    ['--latch-color-text', '#1a1a1a;}body{display:none'],
    ['--latch-color-text-dark', 'rgb(0,0,0)'],
    ['--latch-radius', '6'],
    ['--latch-radius', '6em'],
    ['--latch-radius', '6px;x:y'],
    ['--latch-font-family', 'Arial;}*{color:red'],
    ['--latch-font-family', '"Arial'],
    ['--latch-font-family', 'url(https://evil.example/x)'],
    ['--latch-font-family', 'A</style><script>alert(1)</script>'],
  ];
  for (const [name, value] of bad) assert.equal(patternErrors({ [name]: value }).length, 1, `${name}: ${value}`);
  assert.match(patternErrors({ '--latch-color-surface': '#ffffff' })[0] ?? '', /not a Latch CSS variable/);
  assert.match(patternErrors({ color: '#ffffff' })[0] ?? '', /not a Latch CSS variable/);
  assert.throws(() => checkTheme({ '--latch-radius': 5 }), /--latch-radius must be/);
  assert.throws(() => checkTheme(['#ffffff']), /must be an object/);
  assert.equal(CSS_VARIABLES.length, 18);
});

test('the theme stylesheet holds the configured values over the defaults, dark ones under prefers-color-scheme, and has a content-hashed path', () => {
  const css = themeCss(themeOf({ '--latch-color-primary': '#0B5CAD', '--latch-color-primary-dark': '#9cc9ff', '--latch-radius': '0' + 'px' }));
  assert.match(css, /^:root\{[^}]*--latch-color-primary:#0b5cad;/);
  assert.match(css, /--latch-radius:0px/);
  assert.match(css, /@media \(prefers-color-scheme:dark\)\{:root\{[^}]*--latch-color-primary:#9cc9ff;/);
  const a = themeAsset({ '--latch-radius': '4px' });
  const b = themeAsset({ '--latch-radius': '5px' });
  assert.match(a.path, /^\/ui\/assets\/theme\.[0-9a-f]{12}\.css$/);
  assert.notEqual(a.path, b.path);
  assert.equal(themeAsset({ '--latch-radius': '4px' }).path, a.path, 'the same variables give the same asset');
});

test('logo URLs: https only, no credentials, no characters that could leave the CSP source or the attribute', () => {
  assert.deepEqual(checkLogoUrl('https://cdn.example.com/logo.svg'), { url: 'https://cdn.example.com/logo.svg', origin: 'https://cdn.example.com' });
  for (const bad of [
    'http://cdn.example.com/logo.svg',
    'javascript:alert(1)',
    'data:image/svg+xml,<svg/>',
    'https://u:p@cdn.example.com/l.png',
    "https://cdn.example.com/l.png'; script-src *",
    'https://cdn.example.com/a b.png',
    'not a url',
  ]) {
    assert.throws(() => checkLogoUrl(bad), /AUTH_UI_LOGO_URL/, bad);
  }
});

test('loadConfig refuses AUTH_UI_CSS_VARIABLES outside the patterns or below contrast, and a non-https AUTH_UI_LOGO_URL', () => {
  const base = { AUTH_ISSUER: 'https://auth.test', APP_URL: 'https://app.test/ui' };
  assert.deepEqual(loadConfig({ ...base, AUTH_UI_CSS_VARIABLES: '{"--latch-radius":"2px"}' }).ui.cssVariables, { '--latch-radius': '2px' });
  assert.throws(() => loadConfig({ ...base, AUTH_UI_CSS_VARIABLES: '{"--latch-color-text":"#eeeeee"}' }), /contrast/);
  assert.throws(() => loadConfig({ ...base, AUTH_UI_CSS_VARIABLES: '{"--latch-color-text":"red"}' }), /#rrggbb/);
  assert.throws(() => loadConfig({ ...base, AUTH_UI_CSS_VARIABLES: 'nope' }), /JSON object/);
  assert.throws(() => loadConfig({ ...base, AUTH_UI_LOGO_URL: 'http://cdn.example.com/l.png' }), /https/);
});

test('pages link the theme stylesheet, which ui serves immutable; the logo shows with the app name as alt, and its origin joins img-src', async () => {
  const deps = await memoryDeps({
    AUTH_UI: 'true',
    APP_URL: 'https://app.test/ui',
    AUTH_UI_APP_NAME: 'Example App',
    AUTH_UI_LOGO_URL: 'https://cdn.example.com/brand/logo.svg',
    AUTH_UI_CSS_VARIABLES: JSON.stringify({ '--latch-color-primary': '#0b5cad' }),
  });
  const page = await handleUi(deps, getEvent('/ui/sign-in'), {});
  const html = String(page.body);
  const themePath = /<link rel="stylesheet" href="(\/ui\/assets\/theme\.[0-9a-f]{12}\.css)"/.exec(html)?.[1];
  assert.ok(themePath, 'the theme stylesheet is linked');
  assert.match(html, /<img class="logo" src="https:\/\/cdn\.example\.com\/brand\/logo\.svg" alt="Example App"/);
  const csp = String(page.headers?.['content-security-policy']);
  assert.match(csp, /img-src 'self' data: https:\/\/cdn\.example\.com;/);
  assert.match(csp, /style-src 'self';/);
  const asset = await handleUi(deps, getEvent(themePath), {});
  assert.equal(asset.statusCode, 200);
  assert.equal(asset.headers?.['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(String(asset.body), /--latch-color-primary:#0b5cad/);

  const plain = await memoryDeps({ AUTH_UI: 'true', APP_URL: 'https://app.test/ui' });
  const plainPage = await handleUi(plain, getEvent('/ui/sign-in'), {});
  assert.doesNotMatch(String(plainPage.body), /<img/);
  assert.match(String(plainPage.headers?.['content-security-policy']), /img-src 'self' data:;/);
});
