import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1, as the kernel hands one out. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface NatsServerOptions {
  /** nats-server configuration text (authorization, tls, accounts...); the port is set here. */
  config?: string;
  /** Files written beside the configuration before start (certificates, credentials). */
  files?: Record<string, string>;
  jetstream?: boolean;
  /** Extra environment of the server (configurations may reference `$VAR`s). */
  env?: Record<string, string>;
}

/**
 * A nats-server of its own for tests that need a configuration the machine's server does not
 * have (TLS, users and permissions): the `nats-server` on PATH, on a free loopback port, in a
 * temporary directory that `stop` removes.
 */
export class NatsServerProcess {
  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly child: ChildProcess,
    private readonly log: string[],
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Path of a file written with `files` (or any name) in the server's directory. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Everything the server printed so far. */
  get output(): string {
    return this.log.join('');
  }

  static async start(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'meridian-nats-server-'));
    for (const [name, text] of Object.entries(options.files ?? {})) writeFileSync(join(dir, name), text);
    const port = await freePort();
    const store = join(dir, 'store');
    const config = `listen: "127.0.0.1:${port}"\n${options.jetstream ? `jetstream { store_dir: "${store}" }\n` : ''}${options.config ?? ''}\n`;
    writeFileSync(join(dir, 'server.conf'), config);
    const log: string[] = [];
    const child = spawn('nats-server', ['-c', join(dir, 'server.conf')], {
      cwd: dir,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => log.push(d.toString()));
    child.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
    const server = new NatsServerProcess(port, dir, child, log);
    const deadline = Date.now() + 10_000;
    while (!server.output.includes('Server is ready')) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await server.stop();
        throw new Error(`nats-server did not start (exit ${child.exitCode}):\n${server.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return server;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
