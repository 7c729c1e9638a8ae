import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import { type CBORType, encodeCBOR } from '@levischuck/tiny-cbor';

/**
 * A software WebAuthn authenticator (`docs/specs/mfa-and-passkeys.md` §15.2): a P-256 key from
 * `node:crypto`, the COSE key and a `none` attestation encoded with tiny-cbor, authenticator data
 * with the flags asked for, a settable signature counter, and client data for any origin. It
 * answers in SimpleWebAuthn's JSON shape (what `@simplewebauthn/browser` posts), including the
 * faulty answers the tests need: wrong origin or RP ID, UV off, any counter, another handle.
 */

const b64url = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

/** What varies per ceremony. */
export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  /** User present (default true) and user verified (default the authenticator's). */
  up?: boolean;
  uv?: boolean;
  /** A challenge other than the options' (a replay, a challenge of another ceremony). */
  challenge?: string;
  /** The signature counter sent (default: the next one; 0 forever for a synced passkey). */
  counter?: number;
  /** The `userHandle` sent (base64url); null sends none. */
  userHandle?: string | null;
  /** The `clientDataJSON` type (default `webauthn.create` / `webauthn.get`). */
  type?: string;
}

export interface SoftAuthenticatorOptions {
  origin: string;
  rpId: string;
  /** User verification (default true). */
  uv?: boolean;
  /** Backup eligible and backed up: a synced passkey (its counter stays 0). Default false. */
  synced?: boolean;
  /** `credProps.rk` reported at registration (default true). Undefined: not reported. */
  rk?: boolean | undefined;
}

export class SoftAuthenticator {
  readonly credentialId = b64url(randomBytes(16));
  /** The counter of the last signature (0 until the first assertion). */
  counter = 0;
  /** The user handle stored at registration (base64url of `user.id`). */
  userHandle: string | undefined;
  private readonly privateKey: KeyObject;
  private readonly cose: Uint8Array;

  constructor(readonly options: SoftAuthenticatorOptions) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    const coordinate = (value: string | undefined) => new Uint8Array(Buffer.from(value ?? '', 'base64url'));
    // COSE_Key (RFC 9053): kty EC2, alg ES256, crv P-256, x, y.
    this.cose = encodeCBOR(
      new Map<number, number | Uint8Array>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, coordinate(jwk.x)],
        [-3, coordinate(jwk.y)],
      ]),
    );
  }

  private authData(rpId: string, overrides: CeremonyOverrides, counter: number, attested: boolean): Buffer {
    const synced = this.options.synced === true;
    const flags =
      (overrides.up === false ? 0 : 0x01) | ((overrides.uv ?? this.options.uv ?? true) ? 0x04 : 0) | (synced ? 0x08 | 0x10 : 0) | (attested ? 0x40 : 0);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(counter);
    const parts = [sha256(rpId), Buffer.from([flags]), count];
    if (attested) {
      const id = Buffer.from(this.credentialId, 'base64url');
      const length = Buffer.alloc(2);
      length.writeUInt16BE(id.length);
      parts.push(Buffer.alloc(16), length, id, Buffer.from(this.cose));
    }
    return Buffer.concat(parts);
  }

  private clientData(kind: 'create' | 'get', challenge: string, overrides: CeremonyOverrides): Buffer {
    const data = {
      type: overrides.type ?? `webauthn.${kind}`,
      challenge: overrides.challenge ?? challenge,
      origin: overrides.origin ?? this.options.origin,
      crossOrigin: false,
    };
    return Buffer.from(JSON.stringify(data));
  }

  /** A registration response to `navigator.credentials.create` options (JSON), `fmt: "none"`. */
  register(options: { challenge: string; user: { id: string } }, overrides: CeremonyOverrides = {}) {
    this.userHandle = options.user.id;
    const authData = this.authData(overrides.rpId ?? this.options.rpId, overrides, 0, true);
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CBORType>()],
        ['authData', new Uint8Array(authData)],
      ]),
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(this.clientData('create', options.challenge, overrides)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      // credProps.rk: true unless the options say otherwise (an explicit undefined reports nothing).
      clientExtensionResults:
        'rk' in this.options ? (this.options.rk === undefined ? {} : { credProps: { rk: this.options.rk } }) : { credProps: { rk: true } },
    };
  }

  /** An assertion response to `navigator.credentials.get` options (JSON): signed over authData ‖ SHA-256(clientDataJSON). */
  assert(options: { challenge: string }, overrides: CeremonyOverrides = {}) {
    const counter = overrides.counter ?? (this.options.synced ? 0 : this.counter + 1);
    this.counter = counter;
    const authData = this.authData(overrides.rpId ?? this.options.rpId, overrides, counter, false);
    const clientData = this.clientData('get', options.challenge, overrides);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    const handle = overrides.userHandle === undefined ? this.userHandle : overrides.userHandle;
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(handle === null || handle === undefined ? {} : { userHandle: handle }),
      },
      clientExtensionResults: {},
    };
  }
}
