/**
 * Branding of the hosted pages (docs/specs/hosted-ui.md §9): the CSS variables an operator may
 * set, their patterns, the WCAG contrast rule, and the theme stylesheet written from them. The
 * construct checks a theme at synth (a value outside its pattern or a pair below its contrast
 * stops synth) and `loadConfig` checks it again, so no configured value ever reaches a page
 * unchecked. Values go only into a stylesheet served from `/ui/assets/` (no inline style).
 */
import { createHash } from 'node:crypto';

/** The colours, each with a `-dark` twin (the `prefers-color-scheme: dark` values). */
export const COLOUR_VARIABLES = [
  '--latch-color-background',
  '--latch-color-text',
  '--latch-color-muted',
  '--latch-color-primary',
  '--latch-color-on-primary',
  '--latch-color-error',
  '--latch-color-focus',
  '--latch-color-border',
] as const;

export type ColourVariable = (typeof COLOUR_VARIABLES)[number];

/** Every variable the `cssVariables` prop (and `AUTH_UI_CSS_VARIABLES`) may set. */
export const CSS_VARIABLES = [...COLOUR_VARIABLES, ...COLOUR_VARIABLES.map((v) => `${v}-dark` as const), '--latch-radius', '--latch-font-family'] as const;

export type LatchCssVariable = (typeof CSS_VARIABLES)[number];
export type CssVariables = Partial<Record<LatchCssVariable, string>>;

type Palette = Record<ColourVariable, string>;

/** The default theme: it passes the same contrast rule as any configured one (a test holds it to it). */
export const DEFAULT_LIGHT: Palette = {
  '--latch-color-background': '#ffffff',
  '--latch-color-text': '#1a1a1a',
  '--latch-color-muted': '#555555',
  '--latch-color-primary': '#1d4ed8',
  '--latch-color-on-primary': '#ffffff',
  '--latch-color-error': '#b3261e',
  '--latch-color-focus': '#1d4ed8',
  '--latch-color-border': '#767676',
};
export const DEFAULT_DARK: Palette = {
  '--latch-color-background': '#121212',
  '--latch-color-text': '#f1f1f1',
  '--latch-color-muted': '#bdbdbd',
  '--latch-color-primary': '#93c5fd',
  '--latch-color-on-primary': '#0b1b33',
  '--latch-color-error': '#ffb4ab',
  '--latch-color-focus': '#fde047',
  '--latch-color-border': '#9a9a9a',
};
const DEFAULT_SURFACE = { light: '#f4f5f7', dark: '#1e1e1e' };
export const DEFAULT_RADIUS = '6px';
export const DEFAULT_FONT_FAMILY = 'system-ui, "DejaVu Sans", sans-serif';

const COLOUR = /^#[0-9a-fA-F]{6}$/;
const RADIUS = /^\d{1,3}(\.\d{1,3})?(px|rem)$/;
/** Letters, digits, spaces, commas, quotes and hyphens; each quoted family closed (an open quote would swallow the stylesheet). */
const FAMILY_PART = String.raw`\s*(?:"[A-Za-z0-9 -]+"|'[A-Za-z0-9 -]+'|[A-Za-z0-9 -]+)\s*`;
const FONT_FAMILY = new RegExp(`^${FAMILY_PART}(?:,${FAMILY_PART})*$`);

/** The pairs that must reach a WCAG contrast ratio, in light and dark (§9, WCAG 1.4.3 and 1.4.11). */
export const CONTRAST_PAIRS: ReadonlyArray<{ fg: ColourVariable; bg: ColourVariable; min: number }> = [
  { fg: '--latch-color-text', bg: '--latch-color-background', min: 4.5 },
  { fg: '--latch-color-muted', bg: '--latch-color-background', min: 4.5 },
  { fg: '--latch-color-error', bg: '--latch-color-background', min: 4.5 },
  // Links are primary-coloured text on the background.
  { fg: '--latch-color-primary', bg: '--latch-color-background', min: 4.5 },
  { fg: '--latch-color-on-primary', bg: '--latch-color-primary', min: 4.5 },
  { fg: '--latch-color-focus', bg: '--latch-color-background', min: 3 },
  { fg: '--latch-color-border', bg: '--latch-color-background', min: 3 },
];

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.x relative luminance of `#rrggbb`. */
export function relativeLuminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** WCAG 2.x contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Values that break their pattern, or names that are not variables: one message each. */
export function patternErrors(variables: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const [name, value] of Object.entries(variables)) {
    if (!(CSS_VARIABLES as readonly string[]).includes(name)) {
      errors.push(`${JSON.stringify(name).slice(0, 80)} is not a Latch CSS variable (${CSS_VARIABLES.join(', ')})`);
      continue;
    }
    const pattern = name === '--latch-radius' ? RADIUS : name === '--latch-font-family' ? FONT_FAMILY : COLOUR;
    const expected = name === '--latch-radius' ? '<n>px or <n>rem' : name === '--latch-font-family' ? 'font family names' : '#rrggbb';
    if (typeof value !== 'string' || value.length > 200 || !pattern.test(value)) errors.push(`${name} must be ${expected}`);
  }
  return errors;
}

export interface Theme {
  light: Palette;
  dark: Palette;
  radius: string;
  fontFamily: string;
}

/** The configured variables over the defaults (patterns not checked: see {@link checkTheme}). */
export function themeOf(variables: CssVariables = {}): Theme {
  const palette = (defaults: Palette, suffix: '' | '-dark'): Palette =>
    Object.fromEntries(COLOUR_VARIABLES.map((v) => [v, (variables[`${v}${suffix}` as LatchCssVariable] ?? defaults[v]).toLowerCase()])) as Palette;
  return {
    light: palette(DEFAULT_LIGHT, ''),
    dark: palette(DEFAULT_DARK, '-dark'),
    radius: variables['--latch-radius'] ?? DEFAULT_RADIUS,
    fontFamily: variables['--latch-font-family'] ?? DEFAULT_FONT_FAMILY,
  };
}

/** The pairs of a theme below their ratio, light and dark: one message each. */
export function contrastErrors(theme: Theme): string[] {
  const errors: string[] = [];
  for (const [scheme, palette] of [
    ['light', theme.light],
    ['dark', theme.dark],
  ] as const) {
    for (const { fg, bg, min } of CONTRAST_PAIRS) {
      const ratio = contrastRatio(palette[fg], palette[bg]);
      if (ratio < min) {
        const suffix = scheme === 'dark' ? '-dark' : '';
        errors.push(`${fg}${suffix} ${palette[fg]} on ${bg}${suffix} ${palette[bg]}: contrast ${ratio.toFixed(2)}:1, needs ${min}:1 (${scheme} scheme)`);
      }
    }
  }
  return errors;
}

/** The checked theme, or an Error listing every broken pattern and failed pair. */
export function checkTheme(variables: unknown): Theme {
  if (variables === undefined || variables === null) return themeOf();
  if (typeof variables !== 'object' || Array.isArray(variables)) throw new Error('hostedUi.cssVariables must be an object of CSS variables');
  const patterns = patternErrors(variables as Record<string, unknown>);
  if (patterns.length) throw new Error(`hostedUi.cssVariables: ${patterns.join('; ')}`);
  const theme = themeOf(variables as CssVariables);
  const contrast = contrastErrors(theme);
  if (contrast.length) throw new Error(`hostedUi.cssVariables fail WCAG contrast: ${contrast.join('; ')}`);
  return theme;
}

function declarations(palette: Palette, surface: string): string {
  return [...COLOUR_VARIABLES.map((v) => `${v}:${palette[v]}`), `--latch-color-surface:${surface}`].join(';');
}

/** The theme stylesheet: the light values, the dark ones under `prefers-color-scheme: dark`. */
export function themeCss(theme: Theme): string {
  // The notice's tint: the default one with the default background, else the background itself.
  const surface = (palette: Palette, defaults: Palette, tint: string) =>
    palette['--latch-color-background'] === defaults['--latch-color-background'] ? tint : palette['--latch-color-background'];
  return [
    `:root{${declarations(theme.light, surface(theme.light, DEFAULT_LIGHT, DEFAULT_SURFACE.light))};--latch-radius:${theme.radius};--latch-font-family:${theme.fontFamily}}`,
    `@media (prefers-color-scheme:dark){:root{${declarations(theme.dark, surface(theme.dark, DEFAULT_DARK, DEFAULT_SURFACE.dark))}}}`,
    '',
  ].join('\n');
}

/** The theme's asset path, `/ui/assets/theme.<content hash>.css`. */
export function themeAssetPath(css: string): string {
  return `/ui/assets/theme.${createHash('sha256').update(css).digest('hex').slice(0, 12)}.css`;
}

/**
 * A logo URL as the pages use it: https, no credentials, at most 2048 characters. Returns the
 * normalised URL and the origin that joins the CSP's `img-src`; throws otherwise.
 */
export function checkLogoUrl(value: string): { url: string; origin: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('AUTH_UI_LOGO_URL (hostedUi.logoUrl) must be an https URL');
  }
  if (url.protocol !== 'https:' || url.username || url.password || value.length > 2048 || /[\s"'<>\\;,]/.test(value)) {
    throw new Error('AUTH_UI_LOGO_URL (hostedUi.logoUrl) must be an https URL without credentials, quotes, spaces, commas or semicolons');
  }
  return { url: url.href, origin: url.origin };
}

const themeAssets = new Map<string, { path: string; contentType: string; body: string }>();

/** The theme stylesheet of these (checked) variables as a content-hashed asset, made once per process. */
export function themeAsset(variables: CssVariables): { path: string; contentType: string; body: string } {
  const key = JSON.stringify(variables);
  let asset = themeAssets.get(key);
  if (!asset) {
    const body = themeCss(themeOf(variables));
    asset = { path: themeAssetPath(body), contentType: 'text/css; charset=utf-8', body };
    themeAssets.set(key, asset);
  }
  return asset;
}
