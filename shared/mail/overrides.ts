import { readFileSync } from 'node:fs';
import type { MailMessage } from '../ports/services.js';
import { defaultTemplates, escapeHtml, type MailTemplates, TEMPLATE_PLACEHOLDERS } from './templates.js';

type Rendered = Omit<MailMessage, 'to'>;

/** A configured replacement of some parts of one mail; `{{name}}` is replaced by a context value. */
export interface MailTemplateOverride {
  subject?: string;
  text?: string;
  html?: string;
}

/** What `LATCH_MAIL_TEMPLATES` holds: overrides by template name, all optional. */
export type MailTemplateOverrides = { [K in keyof MailTemplates]?: MailTemplateOverride };

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

function fill(template: string, ctx: Record<string, unknown>, asHtml: boolean): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = String(ctx[name] ?? '');
    return asHtml ? escapeHtml(value) : value;
  });
}

/** HTML for a text part that was overridden alone: escaped paragraphs, so the parts never disagree. */
function htmlFromText(subject: string, text: string): string {
  const paragraphs = text
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  return `<!doctype html><html><body style="font-family:sans-serif"><h1>${escapeHtml(subject)}</h1>${paragraphs.join('')}</body></html>`;
}

/**
 * Checks overrides (unknown templates, parts or placeholders, an `html` without a `text`) and
 * throws a plain `Error` naming the problem, so a bad configuration fails at cold start.
 */
export function checkTemplateOverrides(value: unknown): MailTemplateOverrides {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('LATCH_MAIL_TEMPLATES must be a JSON object');
  for (const [name, override] of Object.entries(value)) {
    if (!(name in TEMPLATE_PLACEHOLDERS)) {
      throw new Error(`LATCH_MAIL_TEMPLATES: unknown template "${name}" (known: ${Object.keys(TEMPLATE_PLACEHOLDERS).join(', ')})`);
    }
    if (typeof override !== 'object' || override === null || Array.isArray(override)) throw new Error(`LATCH_MAIL_TEMPLATES.${name} must be an object`);
    const allowed = TEMPLATE_PLACEHOLDERS[name as keyof MailTemplates] as readonly string[];
    for (const [part, text] of Object.entries(override)) {
      if (part !== 'subject' && part !== 'text' && part !== 'html')
        throw new Error(`LATCH_MAIL_TEMPLATES.${name}: unknown part "${part}" (subject, text, html)`);
      if (typeof text !== 'string' || text.trim() === '') throw new Error(`LATCH_MAIL_TEMPLATES.${name}.${part} must be a non-empty string`);
      for (const match of text.matchAll(PLACEHOLDER)) {
        if (!allowed.includes(match[1] as string)) {
          throw new Error(`LATCH_MAIL_TEMPLATES.${name}.${part}: unknown placeholder {{${match[1]}}} (allowed: ${allowed.join(', ')})`);
        }
      }
    }
    if ('html' in override && !('text' in override)) throw new Error(`LATCH_MAIL_TEMPLATES.${name}: an html override needs a text override too`);
  }
  return value as MailTemplateOverrides;
}

/**
 * The templates with the overrides applied. A part that is not overridden stays built-in, except
 * that a `text` overridden without an `html` also replaces the HTML (made from the text), so the
 * two parts never say different things. Values put into `html` are HTML-escaped.
 */
export function applyTemplateOverrides(overrides: MailTemplateOverrides, base: MailTemplates = defaultTemplates): MailTemplates {
  type AnyTemplate = (ctx: Record<string, unknown>) => Rendered;
  const out = { ...base } as unknown as Record<keyof MailTemplates, AnyTemplate>;
  for (const name of Object.keys(overrides) as Array<keyof MailTemplates>) {
    const override = overrides[name];
    if (!override) continue;
    const builtIn = base[name] as unknown as AnyTemplate;
    out[name] = (ctx) => {
      const rendered = builtIn(ctx);
      const subject = override.subject ? fill(override.subject, ctx, false) : rendered.subject;
      const text = override.text ? fill(override.text, ctx, false) : rendered.text;
      const html = override.html ? fill(override.html, ctx, true) : override.text ? htmlFromText(subject, text) : rendered.html;
      return { subject, text, html };
    };
  }
  return out as unknown as MailTemplates;
}

/**
 * The templates of a deployment: the built-in ones with the overrides of `LATCH_MAIL_TEMPLATES`,
 * which holds either the JSON itself (starting with `{`) or the path of a JSON file.
 */
export function loadMailTemplates(env: Record<string, string | undefined> = process.env): MailTemplates {
  const raw = env.LATCH_MAIL_TEMPLATES?.trim();
  if (!raw) return defaultTemplates;
  let source = raw;
  if (!raw.startsWith('{')) {
    try {
      source = readFileSync(raw, 'utf8');
    } catch {
      throw new Error(`LATCH_MAIL_TEMPLATES: cannot read the file "${raw}"`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    throw new Error('LATCH_MAIL_TEMPLATES is not valid JSON');
  }
  return applyTemplateOverrides(checkTemplateOverrides(parsed));
}
