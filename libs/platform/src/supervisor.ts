import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { withDeadline } from '@meridian/runtime';
import { SERVICES, serviceEntry } from './services';
import type { ServiceName } from './services';

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly child: ChildProcess;
  /** Ports the service reported in its "service started" log line. */
  readonly ports: Promise<{ http: number; grpc: number }>;
  readonly exited: Promise<number | null>;
}

export interface SupervisorOptions {
  /** Environment of every service (NATS_URL, BUS_NAMESPACE, SYMBOLS, …). */
  env: Record<string, string>;
  /** Per-service additions (ports, tuning). */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Receives every output line, already attributed to its service. */
  onLine(service: ServiceName, line: string, stream: 'stdout' | 'stderr'): void;
  /** Called when a service exits while the supervisor is not stopping it. */
  onUnexpectedExit?(service: ServiceName, code: number | null): void;
  services?: readonly ServiceName[];
}

/**
 * Runs the services as child processes: the same binaries a container runs, one process each,
 * so the local platform and the tests exercise real processes, sockets and signals.
 */
export class Supervisor {
  readonly processes = new Map<ServiceName, ServiceProcess>();
  private stopping = false;
  /** Services stopped or killed on purpose (stopService, crash), whose exit is not unexpected. */
  private readonly crashing = new Set<ServiceName>();

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts every service and resolves once each has reported its ports. */
  async start(timeoutMs = 60_000): Promise<void> {
    for (const name of this.options.services ?? SERVICES) this.spawn(name);
    const all = Promise.all([...this.processes.values()].map((p) => p.ports));
    await withDeadline(all, timeoutMs, () => {
      throw new Error(`services did not all start within ${timeoutMs} ms`);
    });
  }

  private spawn(name: ServiceName): void {
    const child = spawn(process.execPath, [serviceEntry(name)], {
      env: { ...process.env, ...this.options.env, ...this.options.serviceEnv?.[name] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let resolvePorts!: (p: { http: number; grpc: number }) => void;
    let rejectPorts!: (e: Error) => void;
    const ports = new Promise<{ http: number; grpc: number }>((res, rej) => {
      resolvePorts = res;
      rejectPorts = rej;
    });
    ports.catch(() => undefined);
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code, signal) => {
        rejectPorts(new Error(`${name} exited (code ${code}, signal ${signal}) before it started`));
        if (!this.stopping && !this.crashing.has(name)) this.options.onUnexpectedExit?.(name, code);
        resolve(code);
      });
    });
    for (const [stream, source] of [['stdout', child.stdout!], ['stderr', child.stderr!]] as const) {
      createInterface({ input: source }).on('line', (line) => {
        if (stream === 'stdout' && line.includes('"service started"')) {
          try {
            const o = JSON.parse(line) as { httpPort: number; grpcPort: number };
            resolvePorts({ http: o.httpPort, grpc: o.grpcPort });
          } catch {
            // not the JSON line it looked like; the timeout reports it if no other comes
          }
        }
        this.options.onLine(name, line, stream);
      });
    }
    this.processes.set(name, { name, child, ports, exited });
  }

  /**
   * Kills one service without warning (SIGKILL, as a crashed node or an OOM kill would) and
   * waits until it is gone. Its exit is not reported as unexpected: the caller asked for it.
   */
  async crash(name: ServiceName): Promise<void> {
    const p = this.processes.get(name);
    if (p === undefined) throw new Error(`${name} is not running under this supervisor`);
    this.crashing.add(name);
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }

  /** Stops one service gracefully (SIGTERM) and resolves with its exit code; not an unexpected exit. */
  async stopService(name: ServiceName, timeoutMs = 20_000): Promise<number | null> {
    const p = this.processes.get(name);
    if (p === undefined) throw new Error(`${name} is not running under this supervisor`);
    this.crashing.add(name);
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    return this.waitExit(p, timeoutMs);
  }

  /** Starts a service that has exited again, and resolves with its new ports once it reports them. */
  async restart(name: ServiceName, timeoutMs = 60_000): Promise<{ http: number; grpc: number }> {
    const p = this.processes.get(name);
    if (p !== undefined && p.child.exitCode === null && p.child.signalCode === null) throw new Error(`${name} is still running`);
    this.crashing.delete(name);
    this.spawn(name);
    return withDeadline(this.processes.get(name)!.ports, timeoutMs, () => {
      throw new Error(`${name} did not restart within ${timeoutMs} ms`);
    });
  }

  /**
   * SIGTERM to every service, the source first so the rest can finish what is in flight; a
   * service still running after `timeoutMs` is killed. Returns each exit code.
   */
  async stop(timeoutMs = 20_000): Promise<Map<ServiceName, number | null>> {
    this.stopping = true;
    const codes = new Map<ServiceName, number | null>();
    const order = [...this.processes.values()].reverse();
    for (const p of order) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      // The source stops first and alone: downstream services then drain what it sent.
      if (p.name === 'ingestion') codes.set(p.name, await this.waitExit(p, timeoutMs));
    }
    for (const p of order) if (!codes.has(p.name)) codes.set(p.name, await this.waitExit(p, timeoutMs));
    return codes;
  }

  private waitExit(p: ServiceProcess, timeoutMs: number): Promise<number | null> {
    return withDeadline(p.exited, timeoutMs, () => {
      p.child.kill('SIGKILL');
      return null;
    });
  }
}
