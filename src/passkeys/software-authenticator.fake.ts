import { type CBORType, encodeCBOR } from '@levischuck/tiny-cbor';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export interface SoftwareAuthenticatorOptions {
  /** The page origin the browser would put in clientDataJSON. */
  readonly origin: string;
  /** Backup eligible and backed up: a synced passkey. */
  readonly synced?: boolean;
  /** Sets the UV flag (a PIN or biometric was checked); true unless a test says otherwise. */
  readonly verifiesUser?: boolean;
  /** Increments a signature counter with every assertion; false reports 0 always, as synced passkeys do. */
  readonly countsSignatures?: boolean;
}

const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_BACKUP_ELIGIBLE = 0x08;
const FLAG_BACKED_UP = 0x10;
const FLAG_ATTESTED_CREDENTIAL = 0x40;
const AAGUID = Buffer.from('adce000235bcc60a648b0b25f1f05503', 'hex');

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest();
const uint32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};

/**
 * A WebAuthn authenticator in software for tests that need many ceremonies, or broken ones, without a
 * browser: ES256 keys, "none" attestation, and the authenticator data WebAuthn Level 3 specifies.
 * What a real authenticator in a real browser does is the Chromium e2e suite's job.
 */
export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(32);
  signCount = 0;
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private userHandle: string | undefined;

  constructor(private readonly options: SoftwareAuthenticatorOptions) {}

  get id(): string {
    return base64url(this.credentialId);
  }

  /** What `navigator.credentials.create({ publicKey: options })` would answer. */
  create(
    options: PublicKeyCredentialCreationOptionsJSON,
    overrides: { readonly origin?: string; readonly challenge?: string } = {},
  ): RegistrationResponseJSON {
    this.userHandle = options.user.id;
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    const coseKey = encodeCBOR(
      new Map<number, number | Uint8Array>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x ?? '', 'base64url')],
        [-3, Buffer.from(jwk.y ?? '', 'base64url')],
      ]),
    );
    const credentialIdLength = Buffer.alloc(2);
    credentialIdLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      this.header(options.rp.id ?? '', FLAG_ATTESTED_CREDENTIAL, this.signCount),
      AAGUID,
      credentialIdLength,
      this.credentialId,
      coseKey,
    ]);
    const attestationObject = encodeCBOR(
      new Map<string, CBORType>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, CBORType>()],
        ['authData', authData],
      ]),
    );
    const clientData = this.clientData('webauthn.create', overrides.challenge ?? options.challenge, overrides.origin);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: base64url(clientData),
        attestationObject: base64url(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** What `navigator.credentials.get({ publicKey: options })` would answer; `signCount` forces a counter. */
  get(
    options: PublicKeyCredentialRequestOptionsJSON,
    overrides: { readonly origin?: string; readonly signCount?: number; readonly rpId?: string } = {},
  ): AuthenticationResponseJSON {
    if (overrides.signCount !== undefined) this.signCount = overrides.signCount;
    else if (this.options.countsSignatures !== false) this.signCount += 1;
    const authData = this.header(overrides.rpId ?? options.rpId ?? '', 0, this.signCount);
    const clientData = this.clientData('webauthn.get', options.challenge, overrides.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.keys.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: base64url(clientData),
        authenticatorData: base64url(authData),
        signature: base64url(signature),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
    };
  }

  private header(rpId: string, extraFlags: number, signCount: number): Buffer {
    const synced = this.options.synced === true;
    const flags =
      FLAG_USER_PRESENT |
      (this.options.verifiesUser === false ? 0 : FLAG_USER_VERIFIED) |
      (synced ? FLAG_BACKUP_ELIGIBLE | FLAG_BACKED_UP : 0) |
      extraFlags;
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), uint32(signCount)]);
  }

  private clientData(type: string, challenge: string, origin = this.options.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }
}
