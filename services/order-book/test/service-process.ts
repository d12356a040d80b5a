import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { credentials } from '@grpc/grpc-js';
import { OrderBookServiceClient } from '@meridian/proto';
import { waitFor } from '@meridian/testkit';

const PACKAGE_DIR = join(__dirname, '..');
const ENTRY = join(PACKAGE_DIR, 'dist', 'main.js');

/** The tests run the built service, as a container would: refuse a dist older than src. */
export function assertBuilt(): void {
  let built: number;
  try {
    statSync(ENTRY);
    // tsc -b rewrites only changed outputs, but always its build info.
    built = statSync(join(PACKAGE_DIR, 'dist', '.tsbuildinfo')).mtimeMs;
  } catch {
    throw new Error(`${ENTRY} is missing: build first (npx nx run @meridian/order-book:build)`);
  }
  const src = join(PACKAGE_DIR, 'src');
  const newest = Math.max(...readdirSync(src).map((f) => statSync(join(src, f)).mtimeMs));
  if (newest > built) throw new Error(`${ENTRY} is older than src/: build first (npx nx run @meridian/order-book:build)`);
}

/** `node dist/main.js` as a child process, with its ports from the "service started" line. */
export class ServiceProcess {
  readonly logs: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private constructor(
    readonly child: ChildProcess,
    readonly ports: { http: number; grpc: number },
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
    logs: string[],
  ) {
    this.exited = exited;
    this.logs = logs;
  }

  static async start(env: Record<string, string>, timeoutMs = 20_000): Promise<ServiceProcess> {
    const child = spawn(process.execPath, [ENTRY], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const logs: string[] = [];
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const ports = await new Promise<{ http: number; grpc: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`order-book did not start within ${timeoutMs} ms:\n${logs.join('\n')}`)), timeoutMs);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`order-book exited (code ${code}, signal ${signal}) before it started:\n${logs.join('\n')}`));
      });
      for (const source of [child.stdout!, child.stderr!]) {
        createInterface({ input: source }).on('line', (line) => {
          logs.push(line);
          if (line.includes('"service started"')) {
            const o = JSON.parse(line) as { httpPort: number; grpcPort: number };
            clearTimeout(timer);
            resolve({ http: o.httpPort, grpc: o.grpcPort });
          }
        });
      }
    });
    const p = new ServiceProcess(child, ports, exited, logs);
    await waitFor('order-book ready', async () => (await fetch(`${p.httpUrl}/readyz`)).status === 200, 15_000);
    return p;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  client(): OrderBookServiceClient {
    return new OrderBookServiceClient(`127.0.0.1:${this.ports.grpc}`, credentials.createInsecure());
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.httpUrl}/metrics`)).text();
  }

  /** The value of the sample of metric `name` carrying every label in `labels`, or undefined. */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
    const line = (await this.metrics())
      .split('\n')
      .find((l) => (l.startsWith(`${name} `) || l.startsWith(`${name}{`)) && wanted.every((w) => l.includes(w)));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  async stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
