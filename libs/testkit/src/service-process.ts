import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { waitFor } from './wait';

/** Newest modification time under `dir`, recursively. */
function newestUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The tests run a service as built, as a container would: refuse a `dist` older than its `src`. */
export function assertBuilt(packageDir: string, packageName: string): void {
  let built: number;
  try {
    // tsc -b rewrites only changed outputs, but always its build info.
    built = statSync(join(packageDir, 'dist', '.tsbuildinfo')).mtimeMs;
  } catch {
    throw new Error(`${join(packageDir, 'dist')} is missing: build first (npx nx run ${packageName}:build)`);
  }
  if (newestUnder(join(packageDir, 'src')) > built) {
    throw new Error(`${join(packageDir, 'dist')} is older than src/: build first (npx nx run ${packageName}:build)`);
  }
}

export type ProcessExit = { code: number | null; signal: NodeJS.Signals | null };

/**
 * A service's `node dist/main.js` as a child process: its ports from the runtime's "service
 * started" log line, its logs, readiness, metrics, and a stop by signal.
 */
export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly ports: { http: number; grpc: number },
    readonly exited: Promise<ProcessExit>,
    readonly logs: string[],
  ) {}

  static async start(packageDir: string, env: Record<string, string>, options: { name?: string; timeoutMs?: number; waitReady?: boolean } = {}): Promise<ServiceProcess> {
    const name = options.name ?? packageDir;
    const timeoutMs = options.timeoutMs ?? 20_000;
    const child = spawn(process.execPath, [join(packageDir, 'dist', 'main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const logs: string[] = [];
    const exited = new Promise<ProcessExit>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const ports = await new Promise<{ http: number; grpc: number }>((resolve, reject) => {
      const timer = setTimeout(() => {
        // A process that never reported its ports must not outlive the test that started it.
        child.kill('SIGKILL');
        reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${logs.join('\n')}`));
      }, timeoutMs);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (code ${code}, signal ${signal}) before it started:\n${logs.join('\n')}`));
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
    const p = new ServiceProcess(name, child, ports, exited, logs);
    if (options.waitReady ?? true) await waitFor(`${name} ready`, async () => (await fetch(`${p.httpUrl}/readyz`)).status === 200, 15_000);
    return p;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  get grpcAddress(): string {
    return `127.0.0.1:${this.ports.grpc}`;
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

  async stop(signal: NodeJS.Signals): Promise<ProcessExit> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
