/**
 * Claims of recently verified tokens, keyed by the whole token string, so a client re-using its
 * access token is checked by one map lookup. Entries leave when their token expires or, once the
 * cache is full, oldest first. Only successful verifications are kept.
 */
export class VerifiedTokenCache<Claims extends { readonly exp: number }> {
  private readonly entries = new Map<string, Claims>();

  constructor(
    private readonly capacity: number,
    /** How long past exp a token still counts as valid (the verifier's clock tolerance). */
    private readonly toleranceMs: number,
  ) {}

  get(token: string, nowMs = Date.now()): Claims | undefined {
    const claims = this.entries.get(token);
    if (claims === undefined) return undefined;
    if (claims.exp * 1000 + this.toleranceMs <= nowMs) {
      this.entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: Claims): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, claims);
  }
}
