import { formatRenewalToken } from '../domain/tokens.js';
import { type PublicUser, type Session, type User, toPublicUser } from '../domain/types.js';
import { signEdDsaJwt } from '../adapters/crypto/jwt.js';
import { hashSecret, randomId, randomSecret } from '../adapters/crypto/tokens.js';
import type { WriteOp } from '../ports/store.js';
import { type Deps, type RequestInfo, nowIso, nowSeconds } from './deps.js';

/** The token pair of the contract. */
export interface TokenPair {
  accessToken: string;
  renewalToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: PublicUser;
}

/** Signs an access token for a session. Claims: iss aud sub sid role iat exp jti. */
export async function signAccessToken(
  deps: Pick<Deps, 'config' | 'keys' | 'clock'>,
  claims: { userId: string; sessionId: string; role: string; jti: string },
): Promise<string> {
  const key = await deps.keys.signingKey();
  const iat = nowSeconds(deps);
  const payload = {
    iss: deps.config.issuer,
    aud: deps.config.audience,
    sub: claims.userId,
    sid: claims.sessionId,
    role: claims.role,
    iat,
    exp: iat + deps.config.accessTokenTtlSeconds,
    jti: claims.jti,
  };
  return signEdDsaJwt({ kid: key.kid, typ: 'at+jwt' }, payload, key.key);
}

/**
 * Prepares a new session for a user: the writes that create it (conditioned on the user's
 * `sessionEpoch`, so a concurrent lock, password change or delete makes it fail instead of
 * leaving a session behind) and the token pair to answer with once they are committed.
 */
export async function prepareSession(
  deps: Deps,
  user: User,
  options: { rememberMe: boolean; request: RequestInfo },
): Promise<{ ops: WriteOp[]; tokens: TokenPair }> {
  const now = nowSeconds(deps);
  const iso = nowIso(deps);
  const secret = randomSecret();
  const session: Session = {
    id: randomId(),
    userId: user.id,
    role: user.role,
    email: user.email,
    currentJti: randomId(),
    renewalHash: hashSecret(secret),
    spentRenewalHashes: [],
    rememberMe: options.rememberMe,
    createdAt: iso,
    lastUsedAt: iso,
    expiresAt: now + (options.rememberMe ? deps.config.rememberMeTtlSeconds : deps.config.sessionTtlSeconds),
    userAgent: options.request.userAgent?.slice(0, 512) ?? null,
    ip: options.request.ip,
  };
  const accessToken = await signAccessToken(deps, {
    userId: user.id,
    sessionId: session.id,
    role: user.role,
    jti: session.currentJti,
  });
  return {
    ops: [
      // Closes the race with revoke-all: it bumps sessionEpoch first, so this fails afterwards;
      // bumping sessionSeq makes a revoke-all that listed sessions before this commit retry.
      {
        type: 'updateUser',
        id: user.id,
        guard: { sessionEpoch: user.sessionEpoch, unlocked: true, passwordHash: user.passwordHash },
        bumpSeq: true,
      },
      { type: 'putSession', session },
    ],
    tokens: {
      accessToken,
      renewalToken: formatRenewalToken(user.id, session.id, secret),
      tokenType: 'Bearer',
      expiresIn: deps.config.accessTokenTtlSeconds,
      user: toPublicUser(user),
    },
  };
}
