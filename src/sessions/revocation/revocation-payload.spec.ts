import { randomUUID } from 'node:crypto';
import { parseRevocationPayload, revocationPayloads } from './revocation-payload';

describe('revocation payloads', () => {
  const announcement = {
    sessionIds: [randomUUID(), randomUUID()],
    revokedAt: 1_796_298_575_037,
    origin: '9f3a0c41b2d7',
  };

  it('carry the ids, then when and by which instance, and parse back', () => {
    const payload = revocationPayloads(announcement, 200)[0] ?? '';
    expect(payload).toBe(`${announcement.sessionIds.join(',')},@1796298575037.9f3a0c41b2d7`);
    expect(parseRevocationPayload(payload)).toEqual({
      sessionIds: announcement.sessionIds,
      sent: { revokedAt: announcement.revokedAt, origin: announcement.origin },
    });
  });

  it("read an earlier release's ids-only payload as ids without a sender", () => {
    const ids = [randomUUID(), randomUUID()];
    expect(parseRevocationPayload(ids.join(','))).toEqual({ sessionIds: ids });
  });

  it('split a mass revocation into payloads under NOTIFY’s 8000 bytes, each with the trailer', () => {
    const sessionIds = Array.from({ length: 1_001 }, () => randomUUID());
    const payloads = revocationPayloads({ ...announcement, sessionIds }, 200);
    expect(payloads).toHaveLength(6);
    expect(Math.max(...payloads.map((payload) => Buffer.byteLength(payload)))).toBeLessThan(8000);
    expect(payloads.flatMap((payload) => parseRevocationPayload(payload).sessionIds)).toEqual(sessionIds);
    expect(payloads.every((payload) => parseRevocationPayload(payload).sent?.origin === announcement.origin)).toBe(
      true,
    );
  });
});
