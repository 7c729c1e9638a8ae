/**
 * Branding of the hosted pages at synth (docs/specs/hosted-ui.md §9): the logo URL and the CSS
 * variables are checked here, so a value outside its pattern or a colour pair below WCAG contrast
 * stops synth with every problem listed, and only then carried to the functions as settings
 * (`AUTH_UI_LOGO_URL`, `AUTH_UI_CSS_VARIABLES`), from which `ui` serves the theme stylesheet at
 * `/ui/assets/theme.<content hash>.css`.
 */
import { type CssVariables, checkLogoUrl, checkTheme, themeAsset } from '../../shared/ui/theme.js';

export interface BrandingProps {
  readonly logoUrl?: string;
  readonly cssVariables?: CssVariables;
}

/** The branding settings of the functions' environment; throws (stopping synth) on a bad value. */
export function brandingEnvironment(props: BrandingProps): Record<string, string> {
  const environment: Record<string, string> = {};
  if (props.logoUrl !== undefined) environment.AUTH_UI_LOGO_URL = checkLogoUrl(props.logoUrl).url;
  if (props.cssVariables !== undefined) {
    checkTheme(props.cssVariables);
    // Written once here: the stylesheet the ui function will serve (same text, same hash).
    themeAsset(props.cssVariables);
    environment.AUTH_UI_CSS_VARIABLES = JSON.stringify(props.cssVariables);
  }
  return environment;
}
