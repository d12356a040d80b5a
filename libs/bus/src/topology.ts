import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { ConsumerConfig, StreamConfig } from '@nats-io/jetstream';
import { Subjects } from './subjects';

/** The platform's streams (see docs/architecture.md for why each has its retention). */
export type StreamKey = 'MARKET' | 'BOOKS' | 'SIGNALS' | 'ORDERS' | 'EXECUTIONS' | 'CONTROL' | 'RISK';

/** Services that own durable consumers. */
export type ConsumerOwner = 'risk' | 'execution' | 'coordinator' | 'recorder';

export interface StreamDeclaration {
  readonly key: StreamKey;
  readonly config: Partial<StreamConfig> & { name: string; subjects: string[] };
}

export interface DurableDeclaration {
  readonly owner: ConsumerOwner;
  readonly stream: string;
  /** The symbol of a per-symbol durable (its name ends with `-<symbol>`); undefined for shared ones. */
  readonly symbol?: string;
  readonly config: Partial<ConsumerConfig> & { durable_name: string; filter_subject: string; max_deliver: number };
}

/** A shard: the symbols one replica owns, and the venues it executes on. */
export interface Shard {
  readonly symbols: readonly string[];
  readonly venues: readonly string[];
}

export interface TopologyOptions {
  /** JetStream replicas per stream: 1 locally, 3 on a cluster. */
  replicas?: number;
  /** How long market data is kept, ms. */
  marketMaxAgeMs?: number;
  marketMaxBytes?: number;
  /** Window in which a repeated Nats-Msg-Id is dropped, ms. */
  duplicateWindowMs?: number;
  /** Memory storage for market data trades durability for speed; off by default. */
  marketInMemory?: boolean;
  /** How long risk's equity curve and events are kept on the bus, ms (their history lives in PostgreSQL). */
  riskMaxAgeMs?: number;
}

const MS = 1_000_000; // JetStream durations are nanoseconds
const DEFAULTS: Required<TopologyOptions> = {
  replicas: 1,
  marketMaxAgeMs: 60 * 60 * 1000,
  marketMaxBytes: 1024 * 1024 * 1024,
  duplicateWindowMs: 5 * 60 * 1000,
  marketInMemory: false,
  riskMaxAgeMs: 30 * 24 * 60 * 60 * 1000,
};

/** Redelivery delays for money-carrying consumers; max_deliver is one more than the steps. */
const MONEY_BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Every stream and durable consumer of the platform, declared once.
 *
 * Bootstrap (`npm run bootstrap`, the chart's provisioning job) is the only code that creates
 * or updates them; services only bind to what is declared here, so they can never drift apart.
 * On nats-server 2.9 a consumer has one filter subject, so per-symbol consumers are separate
 * durables named after the symbol.
 */
export class Topology {
  private readonly opts: Required<TopologyOptions>;

  constructor(
    readonly subjects: Subjects,
    options: TopologyOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
  }

  streamName(key: StreamKey): string {
    return this.subjects.namespace === '' ? key : `${this.subjects.namespace}_${key}`;
  }

  streams(): StreamDeclaration[] {
    const o = this.opts;
    const common = { num_replicas: o.replicas, duplicate_window: o.duplicateWindowMs * MS, discard: DiscardPolicy.Old };
    return [
      {
        key: 'MARKET',
        config: {
          ...common,
          name: this.streamName('MARKET'),
          subjects: [this.subjects.marketAll()],
          retention: RetentionPolicy.Limits,
          storage: o.marketInMemory ? StorageType.Memory : StorageType.File,
          max_age: o.marketMaxAgeMs * MS,
          max_bytes: o.marketMaxBytes,
          description: 'Normalised market data: trades, book snapshots/deltas, BBO, bars',
        },
      },
      {
        key: 'BOOKS',
        config: {
          ...common,
          name: this.streamName('BOOKS'),
          subjects: [this.subjects.booksAll()],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          // Only the newest whole book per symbol matters: a restarted order book resumes from it.
          max_msgs_per_subject: 1,
          allow_direct: true,
          description: 'Whole books checkpointed by the order-book service, last value per symbol',
        },
      },
      {
        key: 'SIGNALS',
        config: {
          ...common,
          name: this.streamName('SIGNALS'),
          subjects: [this.subjects.signalsAll()],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: 24 * 60 * 60 * 1000 * MS,
          description: 'Model signals per symbol',
        },
      },
      {
        key: 'ORDERS',
        config: {
          ...common,
          name: this.streamName('ORDERS'),
          subjects: [this.subjects.ordersAll()],
          // Limits, not work-queue: risk, the recorder and the coordinator each read approved and
          // rejected orders, and state is rebuilt by replaying the stream after a restart.
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: 0,
          description: 'Order intents, risk-approved orders and rejections',
        },
      },
      {
        key: 'EXECUTIONS',
        config: {
          ...common,
          name: this.streamName('EXECUTIONS'),
          subjects: [this.subjects.executionsAll()],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: 0,
          description: 'Venue acks, fills, cancels and rejects',
        },
      },
      {
        key: 'CONTROL',
        config: {
          ...common,
          name: this.streamName('CONTROL'),
          subjects: [this.subjects.controlAll()],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_msgs_per_subject: 1,
          allow_direct: true,
          description: 'Kill switches, runtime config and risk checkpoints (stops, circuit breaker), last value per subject',
        },
      },
      {
        key: 'RISK',
        config: {
          ...common,
          name: this.streamName('RISK'),
          subjects: [this.subjects.riskAll()],
          // History, not state: every point of the equity curve and every event is kept (the
          // recorder persists them); risk reads back only the last equity point after a restart.
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          max_age: o.riskMaxAgeMs * MS,
          description: 'Risk equity curve and events (circuit breaker, stops)',
        },
      },
    ];
  }

  private moneyConsumer(
    owner: ConsumerOwner,
    stream: StreamKey,
    durable: string,
    filter: string,
    maxAckPending: number,
    symbol?: string,
  ): DurableDeclaration {
    return {
      owner,
      stream: this.streamName(stream),
      ...(symbol !== undefined ? { symbol } : {}),
      config: {
        durable_name: durable,
        filter_subject: filter,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 30_000 * MS,
        max_ack_pending: maxAckPending,
        max_deliver: MONEY_BACKOFF_MS.length + 1,
        backoff: MONEY_BACKOFF_MS.map((ms) => ms * MS),
        num_replicas: 0,
      },
    };
  }

  /** The durable consumers one service binds to for a shard. */
  durables(owner: ConsumerOwner, shard: Shard): DurableDeclaration[] {
    const s = this.subjects;
    switch (owner) {
      // One in flight per symbol: each decision depends on the positions the previous one left.
      case 'risk':
        return shard.symbols.map((sym) => this.moneyConsumer('risk', 'ORDERS', `risk-intent-${sym}`, s.intent(sym), 1, sym));
      case 'execution':
        return shard.venues.flatMap((venue) =>
          shard.symbols.map((sym) =>
            this.moneyConsumer('execution', 'ORDERS', `execution-${venue}-${sym}`, s.approved(venue, sym), 1, sym),
          ),
        );
      case 'coordinator':
        return shard.symbols.map((sym) => ({
          owner: 'coordinator' as const,
          stream: this.streamName('SIGNALS'),
          symbol: sym,
          config: {
            durable_name: `coordinator-signal-${sym}`,
            filter_subject: s.signalsFor(sym),
            ack_policy: AckPolicy.Explicit,
            // A signal is only worth acting on while fresh; history is not replayed.
            deliver_policy: DeliverPolicy.New,
            ack_wait: 10_000 * MS,
            max_ack_pending: 1,
            max_deliver: 3,
            num_replicas: 0,
          },
        }));
      case 'recorder':
        return [
          this.moneyConsumer('recorder', 'ORDERS', 'recorder-approved', s.approvedAll(), 256),
          this.moneyConsumer('recorder', 'ORDERS', 'recorder-rejected', s.rejectedAll(), 256),
          // One at a time, in stream order: positions are folded from fills in the order they happened.
          this.moneyConsumer('recorder', 'EXECUTIONS', 'recorder-executions', s.executionsAll(), 1),
          // Bars are upserted by (venue, symbol, interval, start) keeping the highest revision, so
          // order does not matter and many may be in flight for batched inserts.
          this.moneyConsumer('recorder', 'MARKET', 'recorder-bars', s.barsAll(), 4096),
          // The audit of risk limit changes: inserts keyed by revision, so order does not matter.
          this.moneyConsumer('recorder', 'CONTROL', 'recorder-risk-limits', s.config('risk'), 16),
          // Risk's equity curve and events: inserts keyed by (account, time) and event id.
          this.moneyConsumer('recorder', 'RISK', 'recorder-risk-equity', s.riskEquityAll(), 64),
          this.moneyConsumer('recorder', 'RISK', 'recorder-risk-events', s.riskEventsAll(), 64),
        ];
    }
  }

  /** Every durable consumer of the platform for a shard: what bootstrap provisions. */
  allDurables(shard: Shard): DurableDeclaration[] {
    const owners: ConsumerOwner[] = ['risk', 'execution', 'coordinator', 'recorder'];
    return owners.flatMap((o) => this.durables(o, shard));
  }
}
