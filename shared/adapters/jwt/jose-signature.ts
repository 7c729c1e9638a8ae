import { jwtVerify } from 'jose';
import type { AccessTokenSignature } from '../../ports/access-token-signature.js';

/**
 * {@link AccessTokenSignature} with jose's `jwtVerify` on the key ring's own verification keys
 * (`KeyRing.verificationKey`, imported once per loaded ring): the functions with an authenticated
 * route, which carry jose already (the key ring imports with it, `token-pair.ts` signs with it), so
 * aws-jwt-verify stays out of their bundles. `algorithms: ['EdDSA']` pins the algorithm; an
 * unknown `kid` finds no key and throws.
 */
export const JOSE_ACCESS_TOKEN_SIGNATURE: AccessTokenSignature = {
  async verify(token, keys, now, skewSeconds) {
    const { payload, protectedHeader } = await jwtVerify(
      token,
      async (header) => {
        const key = typeof header.kid === 'string' ? await keys.verificationKey(header.kid) : undefined;
        if (!key) throw new Error('no key of the ring has this kid');
        return key;
      },
      { algorithms: ['EdDSA'], currentDate: new Date(now * 1000), clockTolerance: skewSeconds },
    );
    return { header: protectedHeader as Record<string, unknown>, payload: payload as Record<string, unknown> };
  },
};
