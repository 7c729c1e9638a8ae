import { readFileSync } from 'node:fs';
import { isUserLocale, USER_LOCALES, type UserLocale } from '../domain/locales.js';
import type { MailMessage } from '../ports/services.js';
import { defaultTemplates, escapeHtml, type MailTemplates, TEMPLATE_PLACEHOLDERS } from './templates.js';

type Rendered = Omit<MailMessage, 'to'>;

/** A configured replacement of some parts of one mail; `{{name}}` is replaced by a context value. */
export interface MailTemplateOverride {
  subject?: string;
  text?: string;
  html?: string;
}

/** Overrides by template name, all optional. */
export type TemplateOverrideSet = { [K in keyof MailTemplates]?: MailTemplateOverride };

/**
 * What `LATCH_MAIL_TEMPLATES` holds: overrides by template name for every language, and per
 * shipped locale (`{ "de": { "resetPassword": … } }`, hosted-ui.md §8), which win for that locale.
 */
export type MailTemplateOverrides = TemplateOverrideSet & { [L in UserLocale]?: TemplateOverrideSet };

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
export function checkTemplateOverrides(value: unknown, where = 'LATCH_MAIL_TEMPLATES'): MailTemplateOverrides {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${where} must be a JSON object`);
  for (const [name, override] of Object.entries(value)) {
    if (where === 'LATCH_MAIL_TEMPLATES' && isUserLocale(name)) {
      checkTemplateOverrides(override, `LATCH_MAIL_TEMPLATES.${name}`);
      continue;
    }
    if (!(name in TEMPLATE_PLACEHOLDERS)) {
      throw new Error(
        `${where}: unknown template "${name}" (known: ${Object.keys(TEMPLATE_PLACEHOLDERS).join(', ')}${where === 'LATCH_MAIL_TEMPLATES' ? `; or a locale: ${USER_LOCALES.join(', ')}` : ''})`,
      );
    }
    if (typeof override !== 'object' || override === null || Array.isArray(override)) throw new Error(`${where}.${name} must be an object`);
    const allowed = TEMPLATE_PLACEHOLDERS[name as keyof MailTemplates] as readonly string[];
    for (const [part, text] of Object.entries(override)) {
      if (part !== 'subject' && part !== 'text' && part !== 'html') throw new Error(`${where}.${name}: unknown part "${part}" (subject, text, html)`);
      if (typeof text !== 'string' || text.trim() === '') throw new Error(`${where}.${name}.${part} must be a non-empty string`);
      for (const match of text.matchAll(PLACEHOLDER)) {
        if (!allowed.includes(match[1] as string)) {
          throw new Error(`${where}.${name}.${part}: unknown placeholder {{${match[1]}}} (allowed: ${allowed.join(', ')})`);
        }
      }
    }
    if ('html' in override && !('text' in override)) throw new Error(`${where}.${name}: an html override needs a text override too`);
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
  const names = new Set([...Object.keys(overrides).filter((k) => !isUserLocale(k)), ...USER_LOCALES.flatMap((l) => Object.keys(overrides[l] ?? {}))]) as Set<
    keyof MailTemplates
  >;
  for (const name of names) {
    const builtIn = base[name] as unknown as AnyTemplate;
    out[name] = (ctx) => {
      // The locale's own override first, then the one for every language.
      const locale = isUserLocale(ctx.locale) ? ctx.locale : 'en';
      const override = overrides[locale]?.[name] ?? overrides[name];
      if (!override) return builtIn(ctx);
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
