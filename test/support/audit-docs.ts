import { AUDIT_EVENTS, type MeVisibility } from '../../shared/domain/audit.js';

/** Where the generated catalogue sits in `docs/audit.md`. */
export const CATALOGUE_START = '<!-- audit-catalogue:start (generated from AUDIT_EVENTS; see test/unit/audit-catalogue.test.ts) -->';
export const CATALOGUE_END = '<!-- audit-catalogue:end -->';

const shown = (me: MeVisibility) => (me === true ? '✓' : me === 'actor-kind' ? '✓ (actor kind only)' : '');

/**
 * The catalogue table of `docs/audit.md`, from `AUDIT_EVENTS` (`shared/domain/audit.ts`).
 * Regenerate: `npx tsx -e "import('./test/support/audit-docs.ts').then((m) => console.log(m.auditCatalogueMarkdown()))"`
 * and paste it between the markers.
 */
export function auditCatalogueMarkdown(): string {
  const rows = Object.entries(AUDIT_EVENTS).map(
    ([type, spec]) => `| \`${type}\` | ${spec.when} | ${spec.details.map((key) => `\`${key}\``).join(', ')} | ${shown(spec.me)} |`,
  );
  return ['| type | written when | details | `/me/activity` |', '|---|---|---|---|', ...rows].join('\n');
}
