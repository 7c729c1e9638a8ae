/**
 * Passkeys (WebAuthn) without a library (`docs/specs/mfa-and-passkeys.md` §7): what is stored of a
 * credential and of a ceremony's challenge, the public passkey object, the `amr` a passkey gives
 * and the `signInMethods` count. The WebAuthn verification itself lives in
 * `shared/flows/passkey-ceremony.ts` (the only place that imports `@simplewebauthn/server`).
 */

/** A registered credential (`USER#<id>` / `PASSKEY#<credentialId>`). */
export interface Passkey {
  userId: string;
  /** The credential id, base64url (as the browser's JSON gives it). */
  id: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The signature counter last seen (0 for synced passkeys, which never count). */
  counter: number;
  transports: string[];
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  /** `credProps.rk === true` at registration, or true since it signed in without a password. */
  discoverable: boolean;
  aaguid: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Set when a signature counter went backwards (§7.3): refused from then on. Absent otherwise. */
  disabledAt?: string;
}

/** The passkey object of the HTTP contract. */
export interface PublicPasskey {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  transports: string[];
  discoverable: boolean;
  disabled: boolean;
}

export function toPublicPasskey(passkey: Passkey): PublicPasskey {
  return {
    id: passkey.id,
    name: passkey.name,
    createdAt: passkey.createdAt,
    lastUsedAt: passkey.lastUsedAt,
    deviceType: passkey.deviceType,
    backedUp: passkey.backedUp,
    transports: passkey.transports,
    discoverable: passkey.discoverable,
    disabled: passkey.disabledAt !== undefined,
  };
}

/** A WebAuthn ceremony: `create` (registration) or `get` (assertion). */
export type WebauthnCeremony = 'create' | 'get';
/** What a challenge is for (§7.2). */
export type WebauthnPurpose = 'add' | 'sign_in' | 'mfa' | 'reauth';

/** A ceremony's challenge as stored (`WEBAUTHN#<sha256(challenge)>` / `WEBAUTHN`): only its hash. */
export interface WebauthnChallenge {
  /** SHA-256 (base64url) of the challenge (itself base64url, as in `clientDataJSON`). */
  hash: string;
  ceremony: WebauthnCeremony;
  purpose: WebauthnPurpose;
  /** Binding of `add`, `reauth` and `mfa`: the user. */
  userId?: string;
  /** Binding of `add` and `reauth`: the session that asked. */
  sessionId?: string;
  /** Binding of `mfa`: SHA-256 of the two-step sign-in's `mfaToken` secret. */
  mfaHash?: string;
  /** Epoch seconds; checked by the consuming delete (TTL deletes late). */
  expiresAt: number;
}

/** The binding a consumed challenge must carry: the ceremony, purpose and, per purpose, user/session/mfaHash. */
export type WebauthnBinding = Omit<WebauthnChallenge, 'hash' | 'expiresAt'>;

/** The default name of a passkey, and the longest one. */
export const DEFAULT_PASSKEY_NAME = 'Passkey';
export const MAX_PASSKEY_NAME_LENGTH = 64;

/** RFC 8176 `amr` of a passkey: `swk` when backed up (synced), `hwk` otherwise (§3). */
export function passkeyAmrValue(backedUp: boolean): 'swk' | 'hwk' {
  return backedUp ? 'swk' : 'hwk';
}

/** The `amr` of a passwordless sign-in with user verification: `["hwk","mfa"]` or `["swk","mfa"]`. */
export function passkeySignInAmr(backedUp: boolean): string[] {
  return [passkeyAmrValue(backedUp), 'mfa'];
}

/**
 * A user's ways to sign in without help (§7.4), for an item written before `signInMethods`
 * existed: the password (1 when set). Such an item has no passkeys (every passkey write sets
 * `signInMethods`) and no provider identities in this version.
 */
export function derivedSignInMethods(user: { passwordHash: string | null }): number {
  return user.passwordHash !== null ? 1 : 0;
}

/** The stored `signInMethods`, or the derived count when the item predates it. */
export function signInMethodsOf(user: { passwordHash: string | null; signInMethods?: number }): number {
  return user.signInMethods ?? derivedSignInMethods(user);
}
