/** WEBAUTHN_*: whom passkeys are bound to (the relying party) and which web origins may use them. */
import { VARIABLES } from './config-variables';
import { EnvironmentReader } from './environment-reader';

export interface WebauthnConfig {
  readonly rpId: string;
  readonly rpName: string;
  /** Every origin a ceremony's clientDataJSON may name; anything else is refused. */
  readonly origins: readonly string[];
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export function readWebauthnConfig(read: EnvironmentReader): WebauthnConfig {
  const publicUrlParsed = publicUrlOf(read);
  const configuredRpId = read.optionalText(VARIABLES.WEBAUTHN_RP_ID)?.toLowerCase();
  // Derived from a PUBLIC_URL on an address, it is left as is: browsers refuse passkeys there, and a
  // deployment that does not use them must still boot.
  const rpId = configuredRpId ?? publicUrlParsed.hostname.toLowerCase();
  if (configuredRpId !== undefined && (!DOMAIN.test(rpId) || /^[0-9.]+$/.test(rpId))) {
    read.fail(
      VARIABLES.WEBAUTHN_RP_ID,
      `must be a domain such as example.com, not an address or a URL (got "${rpId}")`,
      undefined,
    );
  }
  const configured = read.origins(VARIABLES.WEBAUTHN_ORIGINS);
  const origins = configured.length > 0 ? configured : [publicUrlParsed.origin];
  // A browser refuses a ceremony whose RP ID is not the origin's host or a parent of it: say so at boot.
  for (const origin of origins) {
    const host = new URL(origin).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      read.fail(
        configured.length > 0 ? VARIABLES.WEBAUTHN_ORIGINS : VARIABLES.WEBAUTHN_RP_ID,
        `gives the origin ${origin}, outside the relying party ID ${rpId} (its host must be ${rpId} or end in .${rpId})`,
        undefined,
      );
    }
  }
  return { rpId, rpName: read.text(VARIABLES.WEBAUTHN_RP_NAME), origins };
}

/** PUBLIC_URL, whose problems mail-config reports; a placeholder while it has one (the boot fails anyway). */
function publicUrlOf(read: EnvironmentReader): URL {
  try {
    return new URL(read.raw(VARIABLES.PUBLIC_URL) ?? VARIABLES.PUBLIC_URL.default);
  } catch {
    return new URL(VARIABLES.PUBLIC_URL.default);
  }
}
