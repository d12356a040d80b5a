import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { Bus, NATS_ROLES, Subjects, Topology, natsAuthorizationConfig, natsInboxPrefix } from '@meridian/bus';
import type { NatsRole, NatsUser } from '@meridian/bus';
import { credentials } from '@grpc/grpc-js';
import { Client } from 'pg';
import { ApprovedOrder, BookSnapshot, ExecutionKind, ExecutionReport, KillSwitch, OrderIntent, RiskServiceClient, Side } from '@meridian/proto';
import { NatsServerProcess, OtlpCollector, createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { FAST_MARKET_ENV, SERVICES, Supervisor, bootstrap } from '../src';

// The whole platform on a NATS server whose users have the permissions natsPermissions gives
// each role: it must trade as it does without them (nothing it needs is refused), and a service
// other than risk must be unable to put an approved order on the bus.
jest.setTimeout(180_000);

const SYMBOLS = ['BTC-USDT'];
let env: TestEnvironment;
let server: NatsServerProcess;
let supervisor: Supervisor;
let observer: Bus;
let traces: OtlpCollector;
const logs: string[] = [];
const reports: ExecutionReport[] = [];
const approved: ApprovedOrder[] = [];
const users = new Map<NatsRole, NatsUser>(NATS_ROLES.map((role) => [role, { role, user: `meridian-${role}`, password: randomBytes(12).toString('hex') }]));
// Each role logs in as its user and receives its replies under its own inbox, as the services do.
const login = (role: NatsRole) => ({ user: users.get(role)!.user, pass: users.get(role)!.password, inboxPrefix: natsInboxPrefix(role) });
const DATABASE_PASSWORD = `db-${randomBytes(9).toString('hex')}`;

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

beforeAll(async () => {
  env = await createTestEnvironment('perm');
  traces = await OtlpCollector.start();
  const topology = new Topology(new Subjects(env.namespace));
  server = await NatsServerProcess.start({ jetstream: true, config: natsAuthorizationConfig(topology, [...users.values()]) });
  await bootstrap({ nats: { servers: server.url, ...login('bootstrap') }, namespace: env.namespace, replicas: 1, shards: [{ symbols: SYMBOLS, venues: ['paper'] }] });
  // The test reads the streams with the bootstrap user's rights (the JetStream API, its inbox).
  observer = await Bus.connect({ servers: server.url, ...login('bootstrap'), name: 'perm-observer', namespace: env.namespace });
  await observer.follow('EXECUTIONS', observer.subjects.executionsAll(), ExecutionReport, (r) => void reports.push(r), { deliver: 'all' });
  await observer.follow('ORDERS', observer.subjects.approvedAll(), ApprovedOrder, (a) => void approved.push(a), { deliver: 'all' });

  supervisor = new Supervisor({
    env: {
      ...env.env,
      // The machine's PostgreSQL trusts local connections and ignores this password, which lets
      // the run carry a database secret that must never be printed.
      DATABASE_URL: withPassword(env.databaseUrl, DATABASE_PASSWORD),
      NATS_URL: server.url,
      SYMBOLS: SYMBOLS.join(','),
      // Fast market and a twitchy strategy, so a few seconds produce plenty of orders.
      ...FAST_MARKET_ENV,
      // Every service exports its spans to the local collector, where the secrets test reads them.
      OTEL_EXPORTER_OTLP_ENDPOINT: traces.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    },
    // Each service logs in as its own user.
    serviceEnv: Object.fromEntries(SERVICES.map((name) => [name, { NATS_USER: login(name).user, NATS_PASSWORD: login(name).pass }])),
    onLine: (service, line) => void logs.push(`[${service}] ${line}`),
  });
  await supervisor.start();
});

afterAll(async () => {
  await supervisor?.stop().catch(() => undefined);
  await observer?.close();
  if (env) writeFileSync(join(tmpdir(), `meridian-${env.namespace}.log`), logs.join('\n'));
  await server?.stop();
  await traces?.stop();
  await env?.cleanup();
});

test('the platform trades with every service held to its own permissions, and none is refused anything', async () => {
  for (const name of SERVICES) {
    const { http } = await supervisor.processes.get(name)!.ports;
    await waitFor(`${name} ready`, async () => (await fetch(`http://127.0.0.1:${http}/readyz`)).status === 200, 30_000);
  }
  await waitFor('5 fills', () => reports.filter((r) => r.kind === ExecutionKind.EXECUTION_KIND_FILL).length >= 5, 90_000, 200);
  // The rarer paths too: a kill switch set over gRPC (risk writes CONTROL, the others read it),
  // book checkpoints and bars written (their timers run every second), the recorder's rows.
  const { grpc } = await supervisor.processes.get('risk')!.ports;
  const risk = new RiskServiceClient(`127.0.0.1:${grpc}`, credentials.createInsecure());
  try {
    await new Promise<void>((resolve, reject) =>
      risk.setKillSwitch({ killSwitch: KillSwitch.fromPartial({ engaged: true, reason: 'permissions drill', actor: 'test' }) }, (err) => (err ? reject(err) : resolve())),
    );
    // A limits change (the limits in force, again): risk writes ctl.config.risk, the recorder audits it.
    const limitsJson = await new Promise<string>((resolve, reject) => risk.getLimits({}, (err, res) => (err ? reject(err) : resolve(res.limits!.limitsJson))));
    await new Promise<void>((resolve, reject) =>
      risk.updateLimits({ limitsJson, actor: 'test', reason: 'permissions drill', expectedRevision: 0n }, (err) => (err ? reject(err) : resolve())),
    );
  } finally {
    risk.close();
  }
  await waitFor('the kill switch on CONTROL', async () => (await observer.lastValue('CONTROL', observer.subjects.killSwitch('global'), KillSwitch))?.engaged === true);
  await waitFor('a book checkpoint on BOOKS', async () => (await observer.lastValue('BOOKS', observer.subjects.bookSnapshot('sim', 'BTC-USDT'), BookSnapshot)) !== undefined);
  const db = new Client({ connectionString: env.databaseUrl, options: `-c search_path=${env.schema}` });
  await db.connect();
  try {
    // Risk writes its equity curve on the RISK stream, the recorder reads it from there.
    await waitFor('bars, executions, the limits change and equity points recorded', async () => {
      const { rows } = await db.query<{ bars: string; executions: string; limits: string; equity: string }>(
        "SELECT (SELECT count(*) FROM bars) AS bars, (SELECT count(*) FROM executions) AS executions, (SELECT count(*) FROM risk_limit_changes WHERE actor = 'test' AND reason = 'permissions drill') AS limits, (SELECT count(*) FROM risk_equity_snapshots) AS equity",
      );
      return Number(rows[0]!.bars) > 0 && Number(rows[0]!.executions) > 0 && Number(rows[0]!.limits) === 1 && Number(rows[0]!.equity) > 0;
    }, 30_000);
  } finally {
    await db.end();
  }
  // A refused subject shows up as an error status that the bus logs with the server's message.
  expect(logs.filter((l) => /Permissions Violation|nats error/i.test(l)).map((l) => l.slice(0, 400))).toEqual([]);
  // The consumer-lag metric reads consumer info: allowed too.
  const { http } = await supervisor.processes.get('risk')!.ports;
  expect(await (await fetch(`http://127.0.0.1:${http}/metrics`)).text()).toMatch(/meridian_bus_consumer_lag_messages\{[^}]*consumer="risk-intent"/);
});

test('only risk may publish an approved order; the others are refused by the server', async () => {
  const subjects = new Subjects(env.namespace);
  const forged = (id: string) => ApprovedOrder.encode(ApprovedOrder.fromPartial({ intent: OrderIntent.fromPartial({ clientOrderId: id, symbol: 'BTC-USDT', side: Side.SIDE_BUY, quantity: '1' }) })).finish();
  const attempt = async (role: NatsRole): Promise<string> => {
    const nc: NatsConnection = await connect({ servers: server.url, ...login(role), reconnect: false });
    try {
      await jetstream(nc, { timeout: 3_000 }).publish(subjects.approved('paper', 'BTC-USDT'), forged(`forged-by-${role}`), { msgID: `forged-by-${role}` });
      return 'published';
    } catch (err) {
      return (err as Error).message;
    } finally {
      await nc.close();
    }
  };
  for (const role of ['execution', 'coordinator', 'ingestion', 'inference', 'order-book', 'recorder'] as const) {
    expect({ role, outcome: await attempt(role) }).toEqual({ role, outcome: expect.stringMatching(/Permissions Violation for Publish to ".*ord\.approved\.paper\.BTC-USDT"/) });
  }
  // Nothing forged reached the stream, so nothing reached the venue.
  await new Promise((r) => setTimeout(r, 500));
  expect(approved.filter((a) => a.intent?.clientOrderId.startsWith('forged-by-'))).toEqual([]);
  expect(reports.filter((r) => r.clientOrderId.startsWith('forged-by-'))).toEqual([]);
});

test("no service may read another's replies: each subscribes to its own inbox only", async () => {
  // A subscription the server refuses is closed with the server's permissions error.
  const outcome = async (role: NatsRole, subject: string): Promise<string> => {
    const nc: NatsConnection = await connect({ servers: server.url, ...login(role), reconnect: false });
    try {
      const sub = nc.subscribe(subject);
      await nc.flush();
      const closed = await Promise.race([sub.closed, new Promise<'open'>((r) => setTimeout(() => r('open'), 1_000))]);
      return closed === 'open' ? 'open' : (closed?.message ?? 'closed');
    } finally {
      await nc.close();
    }
  };
  // Coordinator would otherwise see every approved order execution pulls from its consumers.
  const refused = /Permissions Violation for Subscription/;
  expect(await outcome('coordinator', `${natsInboxPrefix('execution')}.>`)).toMatch(refused);
  expect(await outcome('inference', '_INBOX.>')).toMatch(refused);
  expect(await outcome('ingestion', '>')).toMatch(refused);
  expect(await outcome('execution', `${natsInboxPrefix('execution')}.>`)).toBe('open');
});

test('npm run nats-permissions prints a block nats-server accepts, reading each password from its environment', async () => {
  const block = execFileSync(process.execPath, [join(__dirname, '..', 'dist', 'nats-permissions-cli.js')], { env: { ...process.env, BUS_NAMESPACE: 'cli' }, encoding: 'utf8' });
  // nats-server refuses to start unless every referenced variable is set.
  const passwords = Object.fromEntries(NATS_ROLES.map((r) => [`MERIDIAN_${r.toUpperCase().replace(/-/g, '_')}_NATS_PASSWORD`, `${r}-secret`]));
  const cliServer = await NatsServerProcess.start({ config: block, env: passwords });
  try {
    const risk = await connect({ servers: cliServer.url, user: 'meridian-risk', pass: 'risk-secret', reconnect: false });
    await risk.close();
    const book = await connect({ servers: cliServer.url, user: 'meridian-order-book', pass: 'order-book-secret', reconnect: false });
    await book.close();
    await expect(connect({ servers: cliServer.url, user: 'meridian-risk', pass: 'order-book-secret', reconnect: false })).rejects.toThrow(/Authorization Violation/i);
  } finally {
    await cliServer.stop();
  }
});

test('no secret of the run appears in any log line, metric or trace of any service', async () => {
  const secrets = [...[...users.values()].map((u) => u.password), DATABASE_PASSWORD];
  const scraped: string[] = [];
  for (const name of SERVICES) {
    const { http } = await supervisor.processes.get(name)!.ports;
    scraped.push(await (await fetch(`http://127.0.0.1:${http}/metrics`)).text());
  }
  // The spans of the orders above, from the services that handled them (the batch is sent every 200 ms).
  await waitFor('spans from risk and execution', () => ['meridian-risk', 'meridian-execution'].every((s) => traces.spans().some((span) => span.service === s)), 10_000);
  const output = [...logs, ...scraped, traces.text()].join('\n');
  // The recorder logged where its database is: redacted, so the check has something to bite on.
  expect(output).toMatch(/database migrated/);
  expect(secrets.filter((s) => output.includes(s))).toEqual([]);
});
