import * as z from 'zod/mini';
import { schemas } from './schemas.js';

/**
 * The schemas the route documentation (`route-docs.ts`) names: the request bodies
 * (`schemas.ts`, enforced by `httpFunction`) and the shapes that are documentation only, kept
 * out of the function bundles (issue 17, row 6): query strings (values are strings, checked by
 * the flows) and the form of `POST /oauth2/token` (parsed by `shared/http/oauth2-token.ts`).
 */
export const docSchemas = {
  ...schemas,
  // --- the hand-off (docs/specs/hosted-ui.md §6): the form fields of `POST /oauth2/token` ---
  oauth2Token: z.object({
    grant_type: z.optional(z.enum(['authorization_code', 'refresh_token'])),
    code: z.optional(z.string()),
    redirect_uri: z.optional(z.string()),
    client_id: z.optional(z.string().check(z.describe('Required unless the client authenticates with HTTP Basic.'))),
    code_verifier: z.optional(z.string().check(z.describe('PKCE (RFC 7636): the verifier of the S256 challenge sent to `/oauth2/authorize`.'))),
    client_secret: z.optional(z.string().check(z.describe('Confidential clients using `client_secret_post`.'))),
    refresh_token: z.optional(z.string()),
  }),
  // --- end hand-off ---
  /** Query of `GET /sessions` (documentation: query values are strings, checked by the flow). */
  listSessions: z.object({
    limit: z.optional(z.string()),
    cursor: z.optional(z.string()),
  }),
  /** Query of `GET /admin/users` (documentation: query values are strings, checked by the flow). */
  adminListUsers: z.object({
    limit: z.optional(z.string()),
    cursor: z.optional(z.string()),
    email: z.optional(z.string()),
  }),
  /** Query of `GET /me/activity`. */
  myActivity: z.object({
    limit: z.optional(z.string()),
    cursor: z.optional(z.string()),
  }),
  /** Query of `GET /admin/audit` (documentation: query values are strings, checked by the flow). */
  adminAudit: z.object({
    userId: z.optional(z.string()),
    email: z.optional(z.string()),
    type: z.optional(z.string()),
    from: z.optional(z.string()),
    to: z.optional(z.string()),
    limit: z.optional(z.string()),
    cursor: z.optional(z.string()),
  }),
  /** Query of `GET /admin/users/{id}/audit`. */
  adminUserAudit: z.object({
    type: z.optional(z.string()),
    from: z.optional(z.string()),
    to: z.optional(z.string()),
    limit: z.optional(z.string()),
    cursor: z.optional(z.string()),
  }),
};
