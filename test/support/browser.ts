/**
 * The browser of the hosted-page tests: Debian's `chromium` driven by `playwright-core` (no
 * browser download). `LATCH_CHROMIUM` names the executable, else `chromium` on the PATH. A
 * missing browser fails the suite with the packages to install; it is never skipped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where the suite writes its screenshots (git-ignored; spec hosted-ui §12.1). */
export const SCREENSHOT_DIR = path.join(root, 'test-results', 'ui');

export function chromiumPath(): string {
  const named = process.env.LATCH_CHROMIUM;
  if (named) {
    if (!existsSync(named)) throw new Error(`LATCH_CHROMIUM=${named} does not exist. Install the browser: apt-get install -y chromium fonts-dejavu-core`);
    return named;
  }
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const found = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (found) return found;
    } catch {
      // not this one
    }
  }
  throw new Error('No chromium found for the browser tests. Install it: apt-get install -y chromium fonts-dejavu-core (or set LATCH_CHROMIUM).');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** axe with the WCAG 2.2 AA tags; the violations, summarised for an assertion message. */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']).analyze();
  return results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** A full-page screenshot under {@link SCREENSHOT_DIR}; returns its file name. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = `${name}.png`;
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, file), fullPage: true, animations: 'disabled' });
  return file;
}
