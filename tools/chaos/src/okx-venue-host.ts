import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@meridian/bus';
import { Decimal } from '@meridian/domain';
import type { ServiceName } from '@meridian/platform';
import type { TestEnvironment } from '@meridian/testkit';
import { OkxServer, SimulatedVenue } from '@meridian/venue-sim';
import type { SimFill, SimInstrument, SimOrder } from '@meridian/venue-sim';
import { ScenarioSetupError } from './errors';
import { MarketMirror } from './market-mirror';
import type { MirrorStats } from './market-mirror';
import type { ScenarioHost } from './scenario';

export interface OkxVenueHostOptions {
  symbols: readonly string[];
  /** Environment of the execution service besides its venue (VENUE_TIMEOUT_MS, ...). */
  executionEnv?: Record<string, string>;
  /** The market-data venue the mirror follows (the platform's MARKET_VENUE). */
  marketVenue?: string;
  /** Opening balance of every base currency: a cash account sells only what it holds. */
  baseBalance?: string;
  quoteBalance?: string;
  seed?: number;
}

/** The account the platform's OKX key trades on. */
export const OKX_ACCOUNT = 'chaos-okx';

/**
 * A local OKX v5 server (`OkxServer` of @meridian/venue-sim) over a simulated exchange whose
 * market is the platform's own market data, hosted beside the platform for the execution service
 * to trade on with `VENUE=okx`: its URLs and a fresh key (given as `_FILE` secrets, the way the
 * chart mounts them) go into execution's environment, the coordinator routes intents to `okx`.
 * The exchange is the venue's truth the scenario's invariants compare the platform with.
 */
export class OkxVenueHost implements ScenarioHost {
  readonly venue = 'okx';
  readonly serviceEnv: Partial<Record<ServiceName, Record<string, string>>>;
  private bus: Bus | undefined;
  private mirror: MarketMirror | undefined;

  private constructor(
    readonly exchange: SimulatedVenue,
    readonly server: OkxServer,
    private readonly secretsDir: string,
    readonly openingBalances: ReadonlyMap<string, Decimal>,
    private readonly options: OkxVenueHostOptions,
  ) {
    this.serviceEnv = {
      execution: {
        VENUE: 'okx',
        OKX_ENV: 'demo',
        OKX_REST_URL: server.restUrl,
        OKX_WS_URL: server.privateWsUrl,
        OKX_API_KEY_FILE: join(secretsDir, 'api-key'),
        OKX_API_SECRET_FILE: join(secretsDir, 'api-secret'),
        OKX_API_PASSPHRASE_FILE: join(secretsDir, 'api-passphrase'),
        ...options.executionEnv,
      },
      coordinator: { EXECUTION_VENUE: 'okx' },
    };
  }

  static async start(options: OkxVenueHostOptions): Promise<OkxVenueHost> {
    // The finest grid OKX quotes in: whatever tick and lot the market source uses, its levels mirror.
    const grid = Decimal.parse('0.00000001');
    const instruments: SimInstrument[] = options.symbols.map((symbol) => {
      const [base, quote, ...rest] = symbol.split('-');
      if (!base || !quote || rest.length > 0) throw new ScenarioSetupError('an OKX venue host', `spot symbols BASE-QUOTE, not ${JSON.stringify(symbol)}`);
      return { symbol, baseCurrency: base, quoteCurrency: quote, tickSize: grid, lotSize: grid };
    });
    const exchange = new SimulatedVenue({
      instruments,
      // OKX's regular spot tier: 8 bps maker, 10 bps taker.
      fees: { maker: Decimal.parse('0.0008'), taker: Decimal.parse('0.001'), scale: 8 },
      seed: options.seed ?? 1,
      queueModel: 'pro_rata',
    });
    const balances = new Map<string, Decimal>();
    for (const i of instruments) {
      balances.set(i.baseCurrency, Decimal.parse(options.baseBalance ?? '100'));
      balances.set(i.quoteCurrency, Decimal.parse(options.quoteBalance ?? '10000000'));
    }
    exchange.openAccount({ id: OKX_ACCOUNT, mode: 'cash', balances: Object.fromEntries(balances) });
    const key = { apiKey: randomBytes(16).toString('hex'), secretKey: randomBytes(24).toString('base64'), passphrase: randomBytes(12).toString('base64url'), account: OKX_ACCOUNT, demo: true };
    // OKX documents its 30 s idle rule as "no data pushed" (server to client), and the adapter pings
    // after 25 s without receiving a frame, as OKX asks; the local server closes a link after 30 s
    // without a frame *from the client*, so under a steady flow of pushes it would cut execution's
    // stream every 30 s: a fault of its own that this scenario does not mean to inject.
    const server = await OkxServer.start({ exchange, keys: [key], idleTimeoutMs: 600_000 });
    const dir = mkdtempSync(join(tmpdir(), 'meridian-chaos-okx-'));
    writeFileSync(join(dir, 'api-key'), key.apiKey, { mode: 0o600 });
    writeFileSync(join(dir, 'api-secret'), key.secretKey, { mode: 0o600 });
    writeFileSync(join(dir, 'api-passphrase'), key.passphrase, { mode: 0o600 });
    return new OkxVenueHost(exchange, server, dir, balances, options);
  }

  /** Mirrors the run's market data into the exchange, from the stream's first message. */
  async attach(env: TestEnvironment, natsUrl: string): Promise<void> {
    this.bus = await Bus.connect({ servers: natsUrl, name: 'chaos-okx-mirror', namespace: env.namespace });
    this.mirror = await MarketMirror.start(this.bus, this.exchange, this.options.marketVenue ?? 'sim', this.options.symbols);
  }

  get mirrorStats(): MirrorStats | undefined {
    return this.mirror?.stats;
  }

  /** Every order the venue has for the platform's account, oldest first. */
  orders(): SimOrder[] {
    return this.exchange.orders(OKX_ACCOUNT).slice().reverse();
  }

  /** Every fill the venue made for the platform's account, oldest first. */
  fills(): SimFill[] {
    return this.exchange.fills(OKX_ACCOUNT);
  }

  async stop(): Promise<void> {
    await this.mirror?.stop();
    await this.bus?.close();
    await this.server.close();
    rmSync(this.secretsDir, { recursive: true, force: true });
  }
}
