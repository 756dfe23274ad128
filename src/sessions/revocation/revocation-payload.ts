import type { RevocationAnnouncement, RevocationSent } from './revocation-channel';

// The ids, then `@<revokedAt in ms>.<origin>`: a trailing element that an instance of an earlier
// release reads as one more id, never a session's, so releases can mix during a rolling upgrade.
const TRAILER = /^@(\d{1,15})\.([0-9a-f]{1,32})$/;

/** The announcement as channel payloads of at most `idsPerPayload` ids each. */
export function revocationPayloads(announcement: RevocationAnnouncement, idsPerPayload: number): string[] {
  const { sessionIds, revokedAt, origin } = announcement;
  const trailer = `@${revokedAt}.${origin}`;
  const payloads: string[] = [];
  for (let start = 0; start < sessionIds.length; start += idsPerPayload) {
    payloads.push([...sessionIds.slice(start, start + idsPerPayload), trailer].join(','));
  }
  return payloads;
}

/** The ids a payload carries and, from an instance of this release or later, when and by whom. */
export function parseRevocationPayload(payload: string): { sessionIds: string[]; sent?: RevocationSent } {
  const elements = payload.split(',');
  const trailer = TRAILER.exec(elements.at(-1) ?? '');
  if (!trailer) return { sessionIds: elements };
  return { sessionIds: elements.slice(0, -1), sent: { revokedAt: Number(trailer[1]), origin: trailer[2] } };
}
