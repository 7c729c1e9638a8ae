import { AUDIT_EVENTS, type AuditType, type MeVisibility } from '../../shared/domain/audit.js';
import { AUDIT_EVENT_DOCS } from '../../shared/domain/audit-docs.js';

/** Where the generated catalogue sits in `docs/audit.md`. */
export const CATALOGUE_START = '<!-- audit-catalogue:start (generated from AUDIT_EVENTS; see test/unit/audit-catalogue.test.ts) -->';
export const CATALOGUE_END = '<!-- audit-catalogue:end -->';

const shown = (me: MeVisibility) => (me === true ? '✓' : me === 'actor-kind' ? '✓ (actor kind only)' : '');

/**
 * The catalogue table of `docs/audit.md`, from `AUDIT_EVENTS` (`shared/domain/audit.ts`) and
 * `AUDIT_EVENT_DOCS` (`shared/domain/audit-docs.ts`).
 * Regenerate: `npx tsx -e "import('./test/support/audit-docs.ts').then((m) => console.log(m.auditCatalogueMarkdown()))"`
 * and paste it between the markers.
 */
export function auditCatalogueMarkdown(): string {
  const rows = Object.entries(AUDIT_EVENTS).map(
    ([type, spec]) => `| \`${type}\` | ${AUDIT_EVENT_DOCS[type as AuditType]} | ${spec.details.map((key) => `\`${key}\``).join(', ')} | ${shown(spec.me)} |`,
  );
  return ['| type | written when | details | `/me/activity` |', '|---|---|---|---|', ...rows].join('\n');
}
