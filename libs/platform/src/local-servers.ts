import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { PlatformError } from '@meridian/domain';
import { redact } from '@meridian/store';

/** NATS or PostgreSQL cannot be had locally; the message says how to get one. */
export class LocalServerError extends PlatformError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOCAL_SERVER', message, options);
  }
}

async function natsAnswers(url: string): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 2_000, reconnect: false });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

export interface NatsHandle {
  url: string;
  /** True when this process started the server (and so stops it). */
  started: boolean;
  stop(): Promise<void>;
}

/**
 * Uses the NATS server at `url`; if nothing answers there and `nats-server` is on PATH, starts
 * one with JetStream in a temporary directory on that host and port.
 */
export async function ensureNats(url: string, log: (line: string) => void): Promise<NatsHandle> {
  if (await natsAnswers(url)) return { url, started: false, stop: async () => undefined };
  if (!onPath('nats-server')) {
    throw new LocalServerError(
      `nothing answers at NATS_URL=${url} and nats-server is not on PATH. Start a NATS server with JetStream ` +
        '(`nats-server -js`, or `apt-get install nats-server`, or the official binary/container) or point NATS_URL at one.',
    );
  }
  const u = new URL(url);
  const storeDir = mkdtempSync(join(tmpdir(), 'meridian-nats-'));
  const child: ChildProcess = spawn('nats-server', ['-js', '-a', u.hostname, '-p', u.port || '4222', '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line.trim()) log(line);
  });
  log(`started nats-server -js on ${u.hostname}:${u.port || 4222} (store ${storeDir})`);
  const deadline = Date.now() + 10_000;
  while (!(await natsAnswers(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new LocalServerError(`nats-server did not come up at ${url}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    started: true,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

/** Fails with a clear message if PostgreSQL does not answer at `url`. */
export async function checkPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (err) {
    throw new LocalServerError(
      `PostgreSQL does not answer at DATABASE_URL=${redact(url)}: ${(err as Error).message}. Start it (e.g. ` +
        '`pg_ctlcluster <version> main start`) or point DATABASE_URL at a server the platform may create a schema in.',
      { cause: err },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
