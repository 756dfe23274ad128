/** Where a session was started or last used from, as recorded on the session row. */
export interface ClientInfo {
  readonly userAgent: string | null;
  readonly ip: string | null;
}
