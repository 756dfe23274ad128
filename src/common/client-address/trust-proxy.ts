/**
 * Whose X-Forwarded-For the service believes when it decides a client's address (TRUST_PROXY), with
 * the forms of Express's and Fastify's `trust proxy`.
 */
export type TrustProxy =
  /** The socket peer is the client; X-Forwarded-For is ignored. */
  | { readonly kind: 'none' }
  /** Every entry is believed, so the leftmost (whatever the client wrote) wins: only for a proxy that replaces the header. */
  | { readonly kind: 'all' }
  /** The last `hops` entries were appended by proxies in front of the service; the one before them is the client. */
  | { readonly kind: 'hops'; readonly hops: number }
  /** Entries are believed only while they come from these proxies (IP, CIDR, or a named range). */
  | { readonly kind: 'addresses'; readonly addresses: readonly string[] };
