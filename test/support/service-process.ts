import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const MAIN_JS = join(__dirname, '..', '..', 'dist', 'main.js');
export const SEED_JS = join(__dirname, '..', '..', 'dist', 'seed.js');

/** The built service (`node dist/main.js`, or another built entry point) as a child process, with its output captured. */
export class ServiceProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static start(env: Record<string, string | undefined>, script = MAIN_JS): ServiceProcess {
    if (!existsSync(script)) throw new Error(`${script} is missing: npm test builds it first (npm run build)`);
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child);
  }

  // Generous: a Node boot on a 2-core machine under load (CI beside other work) can take many seconds.
  async waitForOutput(pattern: RegExp, timeoutMs = 45_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout)) {
      if (this.child.exitCode !== null)
        throw new Error(`service exited (${this.child.exitCode}): ${this.stderr}${this.stdout}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} in output within ${timeoutMs}ms: ${this.stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
