import { ExecutionKind } from '@meridian/proto';
import { seededRandom } from '@meridian/testkit';
import type { OkxFaultRule } from '@meridian/venue-sim';
import { ScenarioSetupError } from '../errors';
import { metricSum, scrapeMetrics } from '../metrics';
import type { MetricSample } from '../metrics';
import { OkxVenueHost } from '../okx-venue-host';
import type { PlatformRun } from '../platform-run';
import type { Scenario } from '../scenario';
import { checkVenueInvariants } from '../venue-invariants';

/** Execution's request timeout in this scenario: the slow answers below are well past it. */
export const VENUE_TIMEOUT_MS = 1_000;
const SLOW_MS = 2_500;
const PLACE = { method: 'POST', path: '/api/v5/trade/order' } as const;
const LOOKUP = { method: 'GET', path: '/api/v5/trade/order' } as const;

/** One kind of trouble at the venue: REST rules that fire on the next matching requests, or WebSocket delays held for a while. */
export interface FaultPhase {
  name: string;
  rules: OkxFaultRule[];
  /** Rules added once the first ones fired (a second burst), or once an order went in doubt. */
  then?: OkxFaultRule[];
  thenWhen?: 'fired' | 'in_doubt';
  ws?: { ackDelayMs: number; pushDelayMs: number; holdMs: number };
}

/** The faults of `npm run chaos -- venue-faults`, one phase each. */
export const VENUE_FAULT_PHASES: readonly FaultPhase[] = [
  // The order is placed at once; its answer comes 2.5 s later, long after execution gave up on it.
  { name: 'slow answers (applied, answered late)', rules: [{ ...PLACE, fault: { kind: 'delay', ms: SLOW_MS, stage: 'after_apply' }, times: 3 }] },
  // The request itself reaches the venue 2.5 s late: a lookup in between finds nothing.
  { name: 'slow requests (applied late)', rules: [{ ...PLACE, fault: { kind: 'delay', ms: SLOW_MS, stage: 'before_apply' }, times: 3 }] },
  // 5xx on the place, then on the lookup that follows it.
  {
    name: '5xx',
    rules: [
      { ...PLACE, fault: { kind: 'server_error', status: 503 }, times: 2 },
      { ...LOOKUP, fault: { kind: 'server_error', status: 502 }, times: 2 },
      { ...PLACE, fault: { kind: 'server_error', status: 500 }, times: 1 },
    ],
  },
  // Two bursts of 50011 on the place endpoint.
  {
    name: '50011 bursts',
    rules: [{ ...PLACE, fault: { kind: 'rate_limit' }, times: 3 }],
    then: [{ ...PLACE, fault: { kind: 'rate_limit' }, times: 3 }],
  },
  // The order exists; the client never hears so.
  { name: 'connection dropped after apply', rules: [{ ...PLACE, fault: { kind: 'drop', stage: 'after_apply' }, times: 3 }] },
  // Every private WebSocket cut, and the login, subscribe and order pushes of the new one held back.
  { name: 'delayed WS acks', rules: [], ws: { ackDelayMs: 2_000, pushDelayMs: 1_500, holdMs: 5_000 } },
];

const FIRE_TIMEOUT_MS = 20_000;

const total = (rules: readonly OkxFaultRule[]) => rules.reduce((n, r) => n + (r.times ?? 0), 0);

/** Execution's metrics, sampled every 200 ms while faults are injected. */
class ExecutionWatch {
  peakInDoubt = 0;
  unanswered = 0;
  last: MetricSample[] | undefined;
  private stopped = false;
  private failure: unknown;
  private readonly loop: Promise<void>;

  constructor(private readonly platform: PlatformRun) {
    // A failure ends the sampling and is thrown by stop(), not left as an unhandled rejection.
    this.loop = this.poll().catch((err: unknown) => void (this.failure = err));
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const samples = await this.read();
      if (samples) {
        this.last = samples;
        this.peakInDoubt = Math.max(this.peakInDoubt, metricSum(samples, 'meridian_execution_orders_in_doubt') ?? 0);
      } else this.unanswered += 1;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  async read(): Promise<MetricSample[] | undefined> {
    // A process that exited before reporting its ports answers nothing, like a stopped one.
    const http = await this.platform.supervisor.processes.get('execution')!.ports.then((p) => p.http).catch(() => undefined);
    return http === undefined ? undefined : scrapeMetrics(http, 2_000);
  }

  async inDoubt(): Promise<number | undefined> {
    const samples = await this.read();
    return samples ? metricSum(samples, 'meridian_execution_orders_in_doubt') : undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Client order ids execution logged as in doubt ("venue request outcome unknown; reconciling"). */
function inDoubtOrders(platform: PlatformRun): Set<string> {
  const out = new Set<string>();
  for (const line of platform.logs) {
    if (!line.startsWith('[execution] {') || !line.includes('venue request outcome unknown')) continue;
    const o = JSON.parse(line.slice('[execution] '.length)) as { clientOrderId?: string };
    if (o.clientOrderId) out.add(o.clientOrderId);
  }
  return out;
}

/**
 * Execution trades on OKX (`VENUE=okx`) against a local OKX v5 server the runner hosts, whose
 * exchange mirrors the platform's own market data. While the coordinator's orders flow, the venue
 * misbehaves in turn (the order of the phases and the pauses come from the seed): answers past
 * execution's VENUE_TIMEOUT_MS, requests that reach it late, 5xx on places and on lookups, bursts
 * of 50011, connections dropped after the order was applied, and delayed WebSocket acks and pushes
 * after a cut. Then the faults are cleared and the platform must settle: nothing in doubt, every
 * order finished. The venue's own order and fill lists are the truth the invariants compare with.
 */
export const venueFaults: Scenario = venueFaultsScenario(
  'venue-faults',
  'execution on OKX (a local OKX v5 server): slow answers past the timeout, 5xx, 50011 bursts, drops after apply, delayed WS acks; nothing doubled, nothing guessed',
  VENUE_FAULT_PHASES,
);

/**
 * Two faults at once: a place reaches the venue 8 s late (execution gives up on it after
 * VENUE_TIMEOUT_MS and reconciles), and once that order is in doubt the venue answers 50011 to
 * every place for a while, so the resend the reconciliation makes is refused for good while the
 * first request is still on its way. The venue then places and fills the first request. Run with
 * a VENUE_TIMEOUT_MS of 3 s, so the adapter's five 50011 retries of the resend end inside it
 * (refused) even on a loaded machine, rather than in doubt again.
 */
export const VENUE_COMPOUND_PHASES: readonly FaultPhase[] = [
  {
    name: 'late request, refused resend',
    rules: [{ ...PLACE, fault: { kind: 'delay', ms: 8_000, stage: 'before_apply' }, times: 1 }],
    then: [{ ...PLACE, fault: { kind: 'rate_limit' }, times: 50 }],
    thenWhen: 'in_doubt',
  },
];

export const venueFaultsCompound: Scenario = venueFaultsScenario(
  'venue-faults-compound',
  'execution on OKX: a place that reaches the venue late while the resend its reconciliation makes is refused (50011); the venue has the order either way',
  VENUE_COMPOUND_PHASES,
  { venueTimeoutMs: 3_000 },
);

/** The venue-faults scenario with phases of one's own (a reproduction of one finding, a longer list). */
export function venueFaultsScenario(name: string, summary: string, phases: readonly FaultPhase[], settings: { venueTimeoutMs?: number } = {}): Scenario {
  return {
    name,
    summary,
    async host(options) {
      return OkxVenueHost.start({ symbols: options.symbols, seed: options.seed, executionEnv: { VENUE_TIMEOUT_MS: String(settings.venueTimeoutMs ?? VENUE_TIMEOUT_MS) } });
    },
    async run(platform, options, log, { host }) {
      if (!(host instanceof OkxVenueHost)) throw new ScenarioSetupError(name, 'the OKX venue host its `host` starts');
      const random = seededRandom(options.seed);
      const faults = host.server.faults;
      const deadline = Date.now() + options.durationSeconds * 1_000;
      const watch = new ExecutionWatch(platform);
      const injected: string[] = [];
      let rounds = 0;
      try {
        await platform.waitFor('the first fills at the venue', () => host.fills().length >= 3 && platform.fills().length >= 3, 90_000);
        log(`first fills at the venue (${host.fills().length}); mirror: ${JSON.stringify(host.mirrorStats)}`);
        // Settled: nothing in doubt, and every order approved before the faults were cleared has
        // finished on the bus. Each phase settles before the next, so one phase's late requests
        // do not meet the next phase's faults (compound faults are a scenario of their own).
        const settled: number[] = [];
        const settle = async (what: string): Promise<number> => {
          const clearedAt = Date.now();
          const approvedBefore = [...platform.history.approved.keys()];
          await platform.waitFor(
            `${what}: nothing in doubt and every order approved before the faults cleared finished`,
            async () => {
              const done = platform.finishedOrders();
              return approvedBefore.every((id) => done.has(id)) && (await watch.inDoubt()) === 0;
            },
            120_000,
          );
          settled.push(Date.now() - clearedAt);
          return Date.now() - clearedAt;
        };
        do {
          rounds += 1;
          const round = [...phases].sort(() => random() - 0.5);
          for (const phase of round) {
            await new Promise((r) => setTimeout(r, 250 + Math.floor(random() * 1_000)));
            const before = { ...faults.fired };
            const ordersBefore = host.orders().length;
            const flowBefore = { intents: platform.history.intents.size, approved: platform.history.approved.size };
            const started = Date.now();
            for (const rule of phase.rules) faults.add(rule);
            const ws = phase.ws;
            if (ws) {
              faults.ws.ackDelayMs = ws.ackDelayMs;
              faults.ws.pushDelayMs = ws.pushDelayMs;
              host.server.dropConnections();
              await new Promise((r) => setTimeout(r, ws.holdMs));
            }
            const firedSince = () => Object.values(faults.fired).reduce((a, b) => a + b, 0) - Object.values(before).reduce((a, b) => a + b, 0);
            const want = total(phase.rules);
            let complete = true;
            const doubtedBefore = inDoubtOrders(platform).size;
            try {
              await platform.waitFor(`${phase.name}: ${want} faults fired`, () => firedSince() >= want, FIRE_TIMEOUT_MS);
              if (phase.then) {
                if (phase.thenWhen === 'in_doubt') await platform.waitFor(`${phase.name}: an order in doubt`, () => inDoubtOrders(platform).size > doubtedBefore, FIRE_TIMEOUT_MS);
                for (const rule of phase.then) faults.add(rule);
                await platform.waitFor(`${phase.name}: the rules that follow fired`, () => firedSince() >= want + total(phase.then!), FIRE_TIMEOUT_MS);
              }
            } catch {
              // Too few orders reached the venue in time for every rule to fire; reported below, and the phase ends.
              complete = false;
            }
            faults.clear();
            const fired = Object.entries(faults.fired)
              .map(([k, v]) => [k, v - before[k as keyof typeof before]] as const)
              .filter(([, v]) => v > 0)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ');
            const what = phase.ws ? `ws acks +${phase.ws.ackDelayMs} ms, pushes +${phase.ws.pushDelayMs} ms for ${phase.ws.holdMs} ms after a cut` : fired || 'nothing fired';
            const settleMs = await settle(phase.name);
            injected.push(`${phase.name}: ${what}`);
            log(
              `${phase.name}: ${what}${complete ? '' : ' (not every rule fired in time)'}; ${platform.history.intents.size - flowBefore.intents} intents, ${platform.history.approved.size - flowBefore.approved} approved and ` +
                `${host.orders().length - ordersBefore} orders at the venue meanwhile, in doubt so far ${inDoubtOrders(platform).size}; ${Date.now() - started} ms, settled ${settleMs} ms after the clear`,
            );
          }
        } while (Date.now() < deadline);
        const doubted = inDoubtOrders(platform);
        const samples = (await watch.read()) ?? watch.last;
        const reconciled = ['settled', 'not_at_venue', 'lookup_failed', 'missing_at_venue']
          .map((result) => `${result} ${samples ? (metricSum(samples, 'meridian_execution_reconciliations_total', { result }) ?? 0) : '?'}`)
          .join(', ');
        const refusals = new Map<string, number>();
        for (const r of platform.history.reports) {
          if (r.kind !== ExecutionKind.EXECUTION_KIND_REJECT) continue;
          const reason = r.reason.split(':')[0] || 'unknown';
          refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
        }
        const submits = ['accepted', 'rejected', 'in_doubt']
          .map((outcome) => `${outcome} ${samples ? (metricSum(samples, 'meridian_execution_venue_requests_total', { op: 'submit', outcome }) ?? 0) : '?'}`)
          .join(', ');
        log(`${doubted.size} orders were in doubt (peak ${watch.peakInDoubt} at once); reconciliations ${reconciled}; each phase settled ${settled.join(', ')} ms after its faults cleared`);
        const fired = faults.fired;
        return {
          rounds,
          'faults injected': injected.join('; '),
          'faults fired': `delay ${fired.delay}, 5xx ${fired.server_error}, 50011 ${fired.rate_limit}, drop ${fired.drop}`,
          'venue answered 50011': host.server.answeredWith('50011'),
          'orders at the venue': host.orders().length,
          'venue fills': host.fills().length,
          'submits by outcome': submits,
          refusals: [...refusals].map(([reason, n]) => `${reason} ${n}`).join(', ') || 'none',
          'venue events refused by the order state machine': samples ? (metricSum(samples, 'meridian_execution_invalid_transitions_total') ?? 0) : '?',
          'in-doubt orders seen': doubted.size,
          'peak in doubt at once': watch.peakInDoubt,
          reconciliations: reconciled,
          'settled after clear ms': Math.max(...settled),
          'settled after clear ms, by phase': settled.join(' '),
          'execution metrics unanswered': watch.unanswered,
          mirror: host.mirrorStats ? `${host.mirrorStats.bookUpdates} book updates, ${host.mirrorStats.trades} trades, ${host.mirrorStats.outOfSequence} out of sequence, ${host.mirrorStats.refused} refused` : 'not attached',
          fills: platform.fills().length,
        };
      } finally {
        faults.clear();
        await watch.stop();
      }
    },
    async invariants(platform, { host }) {
      if (!(host instanceof OkxVenueHost)) throw new ScenarioSetupError(name, 'the OKX venue host its `host` starts');
      const { http } = await platform.supervisor.processes.get('execution')!.ports;
      const samples = await scrapeMetrics(http, 5_000);
      const inDoubt = samples ? metricSum(samples, 'meridian_execution_orders_in_doubt') : undefined;
      const truth = {
        orders: host.orders().map((o) => ({ clientOrderId: o.clientOrderId, symbol: o.symbol, filledQuantity: o.filledQuantity, status: o.status })),
        fills: host.fills().map((f) => ({ tradeId: f.tradeId, clientOrderId: f.clientOrderId, symbol: f.symbol, side: f.side, price: f.price, quantity: f.quantity, fee: f.fee })),
      };
      return checkVenueInvariants(platform, truth, inDoubt);
    },
  };
}

