/**
 * The hosted pages' one script (docs/specs/hosted-ui.md §2, §5.3), bundled with
 * `@simplewebauthn/browser` by `scripts/build-ui-script.ts` into `shared/ui/script.generated.ts`.
 * It only enhances: the show-password toggle, copy and print buttons, and the passkey ceremonies
 * (the one thing that needs it). Every page works without it, except the ceremonies.
 */
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';

type Kind = 'sign-in' | 'mfa' | 'reauthenticate' | 'add';

function reveal(): void {
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-js-only]'))) el.hidden = false;
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-no-js]'))) el.hidden = true;
}

function passwordToggles(): void {
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-toggle-password]'))) {
    const input = document.getElementById(button.getAttribute('aria-controls') ?? '') as HTMLInputElement | null;
    if (!input) continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      const show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      button.setAttribute('aria-pressed', String(show));
    });
  }
}

/** A polite status message next to a button (`role="status"`), for "Copied". */
function say(after: HTMLElement, text: string): void {
  let status = after.nextElementSibling as HTMLElement | null;
  if (!status?.matches('[data-status]')) {
    status = document.createElement('span');
    status.setAttribute('role', 'status');
    status.setAttribute('data-status', '');
    status.className = 'status';
    after.after(status);
  }
  status.textContent = text;
}

function copyButtons(): void {
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-copy]'))) {
    const target = document.getElementById(button.dataset.copy ?? '');
    if (!target || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener('click', async () => {
      const items = target.querySelectorAll('li');
      const text =
        items.length > 0
          ? Array.from(items)
              .map((li) => li.textContent?.trim() ?? '')
              .join('\n')
          : (target.textContent ?? '').trim();
      try {
        await navigator.clipboard.writeText(text);
        say(button, button.dataset.copied ?? '');
      } catch {
        // The page still shows the text to select by hand.
      }
    });
  }
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-print]'))) {
    button.hidden = false;
    button.addEventListener('click', () => window.print());
  }
}

/** Shows a failure in the page's error summary (made when the page has none) and moves the focus there. */
function showError(button: HTMLElement, detail: string | undefined): void {
  const main = document.querySelector('main');
  if (!main) return;
  let box = main.querySelector<HTMLElement>('.error-summary');
  if (!box) {
    box = document.createElement('div');
    box.className = 'error-summary';
    box.setAttribute('role', 'alert');
    box.tabIndex = -1;
    box.setAttribute('aria-labelledby', 'error-summary-title');
    const title = document.createElement('h2');
    title.id = 'error-summary-title';
    box.append(title, document.createElement('ul'));
    main.querySelector('h1')?.after(box);
  }
  const title = box.querySelector('h2');
  if (title) title.textContent = button.dataset.errorTitle ?? '';
  const list = box.querySelector('ul') ?? box.appendChild(document.createElement('ul'));
  const item = document.createElement('li');
  item.textContent = detail ? `${button.dataset.errorText ?? ''} (${detail})` : (button.dataset.errorText ?? '');
  list.replaceChildren(item);
  box.focus();
}

interface Problem {
  title?: string;
  detail?: string;
}

async function post(path: string, csrf: string, body: unknown): Promise<{ ok: boolean; json: Record<string, unknown> & Problem }> {
  const response = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-latch-csrf': csrf },
    body: JSON.stringify(body),
  });
  let json: Record<string, unknown> = {};
  try {
    json = (await response.json()) as Record<string, unknown>;
  } catch {
    // an empty or non-JSON answer
  }
  return { ok: response.ok, json };
}

/** One ceremony: options, the browser's WebAuthn call, the answer; then `{ redirect }`. */
async function ceremony(button: HTMLButtonElement, kind: Kind): Promise<void> {
  const csrf = button.dataset.csrf ?? '';
  const base = `/ui/passkeys/${kind}`;
  const options = await post(`${base}/options`, csrf, {});
  if (!options.ok) return showError(button, options.json.title);
  const optionsJSON = (options.json.options ?? options.json) as never;
  let credential: unknown;
  try {
    credential = kind === 'add' ? await startRegistration({ optionsJSON }) : await startAuthentication({ optionsJSON });
  } catch {
    // Cancelled, timed out, or no matching passkey: the browser's own reasons stay out of the page.
    return showError(button, undefined);
  }
  const body: Record<string, unknown> = { credential };
  const nameField = button.dataset.nameField ? (document.getElementById(button.dataset.nameField) as HTMLInputElement | null) : null;
  if (nameField?.value.trim()) body.name = nameField.value.trim();
  const remember = document.getElementById('rememberMe') as HTMLInputElement | null;
  if (kind === 'sign-in' && remember?.checked) body.rememberMe = true;
  const answer = await post(base, csrf, body);
  if (!answer.ok || typeof answer.json.redirect !== 'string') return showError(button, answer.json.title);
  // Only a same-origin path is followed.
  const target = new URL(answer.json.redirect, window.location.href);
  if (target.origin === window.location.origin) window.location.assign(target.href);
}

function passkeyButtons(): void {
  if (!browserSupportsWebAuthn()) return;
  for (const button of Array.from(document.querySelectorAll<HTMLButtonElement>('button[data-passkey]'))) {
    const kind = button.dataset.passkey as Kind;
    button.hidden = false;
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await ceremony(button, kind);
      } catch {
        showError(button, undefined);
      } finally {
        button.disabled = false;
      }
    });
  }
}

/**
 * Provider sign-in starts from a link (hosted-ui §4), which cannot send the form's "remember me"
 * box: while the box is ticked, the provider links carry `remember=1`. Without the script a
 * provider sign-in gets a browser-session cookie.
 */
function rememberOnProviderLinks(): void {
  const box = document.getElementById('rememberMe') as HTMLInputElement | null;
  if (!box) return;
  const update = () => {
    for (const link of Array.from(document.querySelectorAll<HTMLAnchorElement>('nav.providers a[href^="/ui/oauth/"]'))) {
      const url = new URL(link.getAttribute('href') ?? '', window.location.origin);
      if (box.checked) url.searchParams.set('remember', '1');
      else url.searchParams.delete('remember');
      link.setAttribute('href', `${url.pathname}${url.search}`);
    }
  };
  box.addEventListener('change', update);
  update();
}

reveal();
passwordToggles();
rememberOnProviderLinks();
copyButtons();
passkeyButtons();
