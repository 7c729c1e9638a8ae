import type { WriteOp } from '../../ports/store.js';
import { CORE_WRITE_PLANS, type PlanOf } from './write-plan.js';
import { MFA_WRITE_PLANS } from './write-plan-mfa.js';
import { OAUTH_WRITE_PLANS } from './write-plan-oauth.js';
import { OAUTH2_WRITE_PLANS } from './write-plan-oauth2.js';
import { PASSKEYS_WRITE_PLANS } from './write-plan-passkeys.js';

/**
 * Every op's plan: what a store that may commit anything carries (the tests, the CLI, the bench).
 * Does not compile while an op of the port's `WriteOp` union has no plan in any family.
 */
export const ALL_WRITE_PLANS = {
  ...CORE_WRITE_PLANS,
  ...MFA_WRITE_PLANS,
  ...PASSKEYS_WRITE_PLANS,
  ...OAUTH_WRITE_PLANS,
  ...OAUTH2_WRITE_PLANS,
} satisfies { [T in WriteOp['type']]: PlanOf<T> };
