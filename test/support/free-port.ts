import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A TCP port free on 127.0.0.1 now, for a server whose configuration must name its own URL before it
 * listens (SERVICE_URL, WEBAUTHN_ORIGINS, a provider's redirect URI).
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
