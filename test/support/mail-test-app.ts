import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { PrismaService } from '../../src/prisma/prisma.service';
import { SmtpSink } from './smtp-sink';
import { startTestApp } from './test-app';

export interface MailTestApp {
  readonly sink: SmtpSink;
  readonly app: NestFastifyApplication;
  readonly server: Server;
  readonly prisma: PrismaService;
  close(): Promise<void>;
}

/** The application with SMTP_URL pointing at an in-process sink that keeps every message. */
export async function startMailTestApp(env: Record<string, string> = {}): Promise<MailTestApp> {
  const sink = await SmtpSink.start();
  const app = await startTestApp({ env: { SMTP_URL: sink.url, ...env } });
  return {
    sink,
    app,
    server: app.getHttpServer(),
    prisma: app.get(PrismaService),
    close: async () => {
      await app.close();
      await sink.close();
    },
  };
}
