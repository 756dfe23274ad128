import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the sink received it, decoded just enough for assertions. */
export interface ReceivedMail {
  /** Envelope recipients (RCPT TO). */
  readonly recipients: readonly string[];
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly raw: string;
}

/**
 * An SMTP server in the test process (127.0.0.1, a free port, no TLS, any or no login) that keeps
 * every message. Parsing covers what nodemailer writes: one text/plain and one text/html part in a
 * multipart/alternative, 7bit, quoted-printable or base64.
 */
export class SmtpSink {
  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
    /** Every message so far, in arrival order. */
    readonly messages: readonly ReceivedMail[],
  ) {}

  static async start(): Promise<SmtpSink> {
    const messages: ReceivedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const recipients = session.envelope.rcptTo.map((recipient) => recipient.address);
          messages.push(parseMessage(Buffer.concat(chunks).toString('utf8'), recipients));
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.server.address() as AddressInfo;
    return new SmtpSink(server, `smtp://127.0.0.1:${port}`, messages);
  }

  /** Messages to this recipient so far. */
  to(recipient: string): ReceivedMail[] {
    return this.messages.filter((message) => message.recipients.includes(recipient.toLowerCase()));
  }

  /** Waits until `count` messages with this subject have reached the recipient, and returns them all. */
  async waitFor(recipient: string, subject: string, count = 1, timeoutMs = 5000): Promise<ReceivedMail[]> {
    const matching = () => this.to(recipient).filter((message) => message.subject === subject);
    const deadline = Date.now() + timeoutMs;
    while (matching().length < count) {
      if (Date.now() > deadline) {
        throw new Error(`Expected ${count} "${subject}" message(s) to ${recipient}, got ${matching().length}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return matching();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Part {
  readonly headers: Map<string, string>;
  readonly body: string;
}

function parseMessage(raw: string, recipients: readonly string[]): ReceivedMail {
  const message = splitPart(raw);
  const parts = leafParts(message);
  const bodyOf = (type: string) => {
    const part = parts.find((candidate) => (candidate.headers.get('content-type') ?? 'text/plain').startsWith(type));
    return part ? decodeBody(part) : '';
  };
  return {
    recipients: recipients.map((recipient) => recipient.toLowerCase()),
    from: message.headers.get('from') ?? '',
    to: message.headers.get('to') ?? '',
    subject: message.headers.get('subject') ?? '',
    text: bodyOf('text/plain'),
    html: bodyOf('text/html'),
    raw,
  };
}

function splitPart(raw: string): Part {
  const normalized = raw.replace(/\r\n/g, '\n');
  const end = normalized.indexOf('\n\n');
  const head = end === -1 ? normalized : normalized.slice(0, end);
  const body = end === -1 ? '' : normalized.slice(end + 2);
  const headers = new Map<string, string>();
  // Continuation lines (starting with white space) belong to the header above them.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function leafParts(part: Part): Part[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(part.headers.get('content-type') ?? '')?.[1];
  if (!boundary) return [part];
  const sections = part.body.split(`--${boundary}`).slice(1);
  return sections
    .filter((section) => !section.startsWith('--'))
    .flatMap((section) => leafParts(splitPart(section.replace(/^\n/, ''))));
}

function decodeBody(part: Part): string {
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const body = part.body.replace(/\n$/, '');
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** The one-time token in a mailed link (`...?token=...`). */
export function tokenFromMail(mail: ReceivedMail): string {
  const token = /[?&]token=([\w-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`No token link in the mail: ${mail.text}`);
  return token;
}
