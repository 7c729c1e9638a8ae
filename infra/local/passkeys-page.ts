import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The local runner's passkey test page, `GET /_local/passkeys` (`docs/specs/mfa-and-passkeys.md`
 * §15.3): like `/_local/protected`, never in the route table, never deployed. It uses
 * `@simplewebauthn/browser` (bundled by esbuild once, when the runner starts) and the JSON API on
 * the same origin: sign in with a password, add a passkey, sign out, sign in with the passkey;
 * each JSON result is shown in the `<output>`. Tokens live only in the page's memory.
 * Open it at `http://localhost:<port>`: a secure context, and `localhost` is a valid RP ID (an IP
 * address is not).
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let page: Promise<string> | undefined;

/** Bundles the browser library (once per process) and renders the page. */
export function passkeysPage(): Promise<string> {
  page ??= (async () => {
    const bundled = await build({
      stdin: { contents: "export { startRegistration, startAuthentication } from '@simplewebauthn/browser';", resolveDir: root, loader: 'ts' },
      bundle: true,
      format: 'iife',
      globalName: 'SimpleWebAuthnBrowser',
      minify: true,
      write: false,
      platform: 'browser',
      target: 'es2020',
      logLevel: 'silent',
    });
    const library = bundled.outputFiles[0]?.text ?? '';
    return html(library);
  })();
  return page;
}

function html(library: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Latch passkeys (local)</title>
<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto}output{display:block;white-space:pre-wrap;background:#f4f4f4;padding:1rem;min-height:3rem}button{margin:.25rem}</style>
</head><body>
<h1>Passkeys on the local stack</h1>
<p>Sign in with a password, add a passkey, sign out, sign in with the passkey. Tokens stay in this page's memory.</p>
<p><label>Email <input id="email" type="email" autocomplete="username"></label>
<label>Password <input id="password" type="password" autocomplete="current-password"></label></p>
<p><button id="sign-in">Sign in with password</button>
<button id="add-passkey">Add a passkey</button>
<button id="list-passkeys">List passkeys</button>
<button id="sign-out">Sign out</button>
<button id="passkey-sign-in">Sign in with a passkey</button></p>
<output id="result" data-step="none"></output>
<script>${library}</script>
<script>
(() => {
  const { startRegistration, startAuthentication } = SimpleWebAuthnBrowser;
  let tokens = null;
  const out = document.getElementById('result');
  const show = (step, value) => { out.dataset.step = step; out.textContent = JSON.stringify(value, null, 2); };
  const api = async (method, path, body) => {
    const headers = { 'content-type': 'application/json' };
    if (tokens) headers.authorization = 'Bearer ' + tokens.accessToken;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const run = (id, step, action) => document.getElementById(id).addEventListener('click', async () => {
    try { show(step, await action()); } catch (error) { show(step, { error: String(error && error.message || error) }); }
  });
  run('sign-in', 'signed-in', async () => {
    const answer = await api('POST', '/session', { email: document.getElementById('email').value, password: document.getElementById('password').value });
    if (answer.status === 200) tokens = answer.body;
    return answer;
  });
  run('add-passkey', 'passkey-added', async () => {
    const options = await api('POST', '/me/passkeys/options', {});
    if (options.status !== 200) return options;
    const credential = await startRegistration({ optionsJSON: options.body.options });
    return api('POST', '/me/passkeys', { credential, name: 'Local test page' });
  });
  run('list-passkeys', 'passkeys-listed', () => api('GET', '/me/passkeys'));
  run('sign-out', 'signed-out', async () => {
    const answer = await api('DELETE', '/session');
    tokens = null;
    return answer;
  });
  run('passkey-sign-in', 'passkey-signed-in', async () => {
    const options = await api('POST', '/session/passkey/options', {});
    if (options.status !== 200) return options;
    const credential = await startAuthentication({ optionsJSON: options.body.options });
    const answer = await api('POST', '/session/passkey', { credential });
    if (answer.status === 200) tokens = answer.body;
    return { ...answer, userHandle: credential.response.userHandle ?? null };
  });
})();
</script>
</body></html>`;
}
