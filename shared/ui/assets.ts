/**
 * The hosted pages' static assets: one stylesheet and one small script, served by `ui` at
 * `/ui/assets/<name>.<content hash>.<ext>` with a year of immutable caching (the only UI
 * answers without `no-store`). No inline script or style anywhere (the CSP forbids them).
 */
import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './script.generated.js';

const CSS = `:root{
--latch-color-background:#ffffff;--latch-color-text:#1a1a1a;--latch-color-muted:#555555;--latch-color-primary:#1d4ed8;
--latch-color-on-primary:#ffffff;--latch-color-error:#b3261e;--latch-color-focus:#1d4ed8;--latch-color-border:#767676;
--latch-color-surface:#f4f5f7;--latch-radius:6px;--latch-font-family:system-ui,"DejaVu Sans",sans-serif;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{
--latch-color-background:#121212;--latch-color-text:#f1f1f1;--latch-color-muted:#bdbdbd;--latch-color-primary:#93c5fd;
--latch-color-on-primary:#0b1b33;--latch-color-error:#ffb4ab;--latch-color-focus:#fde047;--latch-color-border:#9a9a9a;--latch-color-surface:#1e1e1e}}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{font-family:var(--latch-font-family);line-height:1.5;background:var(--latch-color-background);color:var(--latch-color-text)}
body{margin:0;min-height:100vh;overflow-wrap:anywhere}
a{color:var(--latch-color-primary);text-underline-offset:.15em}
:focus-visible{outline:3px solid var(--latch-color-focus);outline-offset:2px}
.skip{position:absolute;inset-inline-start:.5rem;top:-4rem;background:var(--latch-color-background);padding:.5rem 1rem;z-index:10}
.skip:focus{top:.5rem}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;border-bottom:1px solid var(--latch-color-border)}
.app-name{font-weight:700;font-size:1.125rem;display:inline-flex;align-items:center;gap:.5rem}
.logo{height:32px;width:auto;max-width:10rem}
header nav ul,.links{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .75rem}
header nav a,.links a{display:inline-block;min-height:24px;padding:.125rem 0}
header form{margin:0}
main{max-width:34rem;margin:0 auto;padding:1.5rem 1rem 3rem}
main:focus{outline:none}
h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem}
p{margin:.5rem 0 1rem}
.muted{color:var(--latch-color-muted)}
.field{margin:0 0 1.25rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
.check label{display:inline;font-weight:400}
.check{display:flex;gap:.5rem;align-items:center;margin:0 0 1.25rem}
.check input{width:24px;height:24px;margin:0}
input[type=email],input[type=password],input[type=text]{display:block;width:100%;font:inherit;padding:.5rem .625rem;min-height:44px;
border:2px solid var(--latch-color-border);border-radius:var(--latch-radius);background:var(--latch-color-background);color:var(--latch-color-text)}
select{display:block;font:inherit;padding:.5rem .625rem;min-height:44px;border:2px solid var(--latch-color-border);border-radius:var(--latch-radius);background:var(--latch-color-background);color:var(--latch-color-text)}
input[aria-invalid=true]{border-color:var(--latch-color-error)}
.password{display:flex;gap:.5rem;align-items:stretch}
.password input{flex:1 1 auto;min-width:0}
button{font:inherit;min-height:44px;min-width:44px;padding:.5rem 1rem;border-radius:var(--latch-radius);cursor:pointer;
border:2px solid var(--latch-color-primary);background:var(--latch-color-primary);color:var(--latch-color-on-primary);font-weight:600}
.password button{white-space:nowrap;flex:0 0 auto}
button.secondary,.password button{background:var(--latch-color-background);color:var(--latch-color-primary)}
button.link{background:none;border:none;color:var(--latch-color-primary);text-decoration:underline;padding:.25rem 0;min-height:24px;font-weight:400}
button.danger{background:var(--latch-color-background);color:var(--latch-color-error);border-color:var(--latch-color-error)}
.field-error{color:var(--latch-color-error);font-weight:600;margin:.25rem 0}
.error-summary{border:3px solid var(--latch-color-error);border-radius:var(--latch-radius);padding:.75rem 1rem;margin:0 0 1.5rem}
.error-summary h2{margin:0 0 .5rem;font-size:1.125rem}
.error-summary ul{margin:0;padding-inline-start:1.25rem}
.error-summary a{color:var(--latch-color-error);font-weight:600}
.notice{border-inline-start:6px solid var(--latch-color-primary);background:var(--latch-color-surface);padding:.75rem 1rem;margin:0 0 1.5rem}
.sessions{list-style:none;padding:0;margin:0 0 1.5rem}
.sessions li{border:1px solid var(--latch-color-border);border-radius:var(--latch-radius);padding:.75rem 1rem;margin:0 0 .75rem}
.sessions dl{display:grid;grid-template-columns:max-content 1fr;gap:.125rem 1rem;margin:0 0 .5rem}
.sessions dt{font-weight:600}.sessions dd{margin:0}
.badge{display:inline-block;font-weight:700;color:var(--latch-color-primary)}
.visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.stack>*+*{margin-top:1rem}
@media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
@media print{header,.skip{display:none}}
.inline{display:inline-block;margin:0 .5rem .5rem 0}
h3{font-size:1.0625rem;margin:1.5rem 0 .5rem}
.item-name{font-weight:700;margin:0 0 .5rem}
.hint{margin:0 0 .25rem}
.qr{display:block;width:220px;height:220px;margin:0 0 1rem;background:#ffffff;border:1px solid var(--latch-color-border)}
.secret code,.codes code{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:1.0625rem;letter-spacing:.05em;overflow-wrap:anywhere}
.codes{columns:2 12rem;padding-inline-start:1.75rem;margin:0 0 1.5rem}
.codes li{margin:0 0 .375rem;break-inside:avoid}
.status{margin-inline-start:.5rem;font-weight:600}
.steps{padding-inline-start:1.5rem}
@media print{nav,button,.notice,.links,.muted,main>p>a{display:none!important}main{max-width:none;padding:0}.codes{columns:2}.codes code{font-size:12pt;color:#000}}
`;

/** The page script, bundled with `@simplewebauthn/browser` (source `script/page.ts`, `npm run build:ui-script`). */
const SCRIPT = PAGE_SCRIPT;

export interface Asset {
  path: string;
  contentType: string;
  body: string;
}

function hashed(name: string, ext: string, body: string, contentType: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/ui/assets/${name}.${hash}.${ext}`, contentType, body };
}

export const ASSETS = {
  css: hashed('latch', 'css', CSS, 'text/css; charset=utf-8'),
  js: hashed('latch', 'js', SCRIPT, 'text/javascript; charset=utf-8'),
} as const;

const BY_PATH = new Map<string, Asset>(Object.values(ASSETS).map((a) => [a.path, a]));

/** The asset at this path, or undefined. */
export function assetAt(path: string): Asset | undefined {
  return BY_PATH.get(path);
}
