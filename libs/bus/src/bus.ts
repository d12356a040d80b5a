import { connect } from '@nats-io/transport-node';
import { credsAuthenticator, headers as natsHeaders } from '@nats-io/nats-core';
import type { MsgHdrs, NatsConnection, ConnectionOptions } from '@nats-io/nats-core';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { MessageCodec } from '@meridian/proto';
import { BusConnectError, BusError, InvalidStartSequenceError, InvalidStartTimeError, MissingConsumerError, PublishError } from './errors';
import { Subjects } from './subjects';
import { Topology } from './topology';
import type { DurableDeclaration, StreamKey, TopologyOptions } from './topology';
import { endSpan, startPublishSpan, withProcessSpan } from './tracing';
import { pullExpiresFor } from './pull-expiry';

/** The part of a structured logger the bus writes to (pino fits). */
export interface BusLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Outcome of handling one delivered message. */
export type DeliveryOutcome = 'ack' | 'retry' | 'dead_letter' | 'rejected';

/** The backlog of a durable consumer as the server counts it; KEDA's lag is the sum of both. */
export interface ConsumerLag {
  /** Messages matching the filter that are not delivered yet (`num_pending`). */
  readonly pending: number;
  /** Messages delivered and not acknowledged yet (`num_ack_pending`). */
  readonly ackPending: number;
}

/** A durable consumer this bus is consuming (`consume`, `consumeBatches`). */
export interface BoundConsumer {
  /** The stream's name on the server (with the namespace prefix, if any). */
  readonly stream: string;
  /** The durable name. */
  readonly name: string;
  /** The symbol of a per-symbol durable, undefined for one shared by every symbol. */
  readonly symbol: string | undefined;
  /** Asks the server for the consumer's backlog (one request; rejects when NATS does not answer). */
  lag(): Promise<ConsumerLag>;
}

/** Where the bus reports what it does; the runtime lib backs it with Prometheus. */
export interface BusObserver {
  published(template: string, seconds: number): void;
  handled(template: string, consumer: string, outcome: DeliveryOutcome, seconds: number): void;
  /** A message that could not be decoded or was refused before its handler ran. */
  rejected(template: string, reason: string): void;
  /** A durable consumer started: its lag can be read from now on (the runtime does so at scrape time). */
  consumerBound?(consumer: BoundConsumer): void;
  /** That consumer stopped. */
  consumerUnbound?(consumer: BoundConsumer): void;
}

/**
 * How long one pull request lives by default (its idle heartbeat is half of it). A pull waiting on
 * a consumer whose leader was on a NATS node that died is only noticed when two heartbeats are
 * missed, so this bounds the stall after a node loss: nats.js's default of 30 s stalled a consumer
 * for about 36 s in the nats-node-loss chaos scenario; 5 s costs an idle consumer one request every
 * 5 s, which adds up with thousands of consumers (BusOptions.pullExpiresMs trades one for the other).
 * Each consumer uses 75–100 % of it (pullExpiresFor), so that their renewals do not arrive together.
 */
export const DEFAULT_PULL_EXPIRES_MS = 5_000;

/** Missed heartbeats (each pullExpiresMs / 2) after which a follow is opened again. */
const STALL_HEARTBEATS = 3;
/** Pause before a stalled follow is opened again (and between attempts while NATS recovers). */
const FOLLOW_RETRY_MS = 500;
/** How long a follow that has not caught up may go without a message before it asks the server whether it has. */
const CAUGHT_UP_PROBE_MS = 2_000;

/** The consumer notifications worth a warning; nats.js reports many more as debug events. */
const CONSUMER_TROUBLE = new Set(['heartbeats_missed', 'consumer_not_found', 'stream_not_found', 'consumer_deleted', 'no_responders', 'ordered_consumer_recreated', 'exceeded_limits']);

const noopLogger: BusLogger = { debug() {}, info() {}, warn() {}, error() {} };
const noopObserver: BusObserver = { published() {}, handled() {}, rejected() {} };

/** Where NATS is and how to authenticate; the runtime's `natsConnectOptions` builds it from env. */
export interface NatsConnectOptions {
  /** Comma-separated NATS URLs. */
  servers: string;
  user?: string;
  pass?: string;
  token?: string;
  /** A decentralised-auth `.creds` file (user JWT + NKey seed), or a function that reads it at each connect. */
  creds?: Uint8Array | (() => Uint8Array);
  /**
   * Where replies and pulled messages arrive (`natsInboxPrefix(role)`): it must match the inbox
   * the server lets this user subscribe to. Unset: nats.js's shared `_INBOX`.
   */
  inboxPrefix?: string;
  /** Extra connection options (TLS: `{ tls: { caFile, certFile, keyFile } }`). */
  connection?: Partial<ConnectionOptions>;
}

/** The nats.js connection options for where NATS is and how to authenticate (servers, auth, TLS). */
export function natsConnectionOptions(o: NatsConnectOptions): Partial<ConnectionOptions> {
  return {
    servers: o.servers.split(',').map((s) => s.trim()),
    ...(o.user !== undefined ? { user: o.user, pass: o.pass } : {}),
    ...(o.token !== undefined ? { token: o.token } : {}),
    ...(o.creds !== undefined ? { authenticator: credsAuthenticator(o.creds) } : {}),
    ...(o.inboxPrefix !== undefined ? { inboxPrefix: o.inboxPrefix } : {}),
    ...o.connection,
  };
}

export interface BusOptions extends NatsConnectOptions {
  /** Client name shown by the server (the service name). */
  name: string;
  namespace?: string;
  topology?: TopologyOptions;
  logger?: BusLogger;
  /** Lifetime of a pull request, ms (DEFAULT_PULL_EXPIRES_MS): shorter recovers faster from a NATS node loss, longer costs idle consumers less. */
  pullExpiresMs?: number;
  observer?: BusObserver;
}

/** What a handler knows about the message besides its payload. */
export interface Delivery {
  readonly subject: string;
  readonly streamSequence: number;
  readonly deliveryCount: number;
  readonly redelivered: boolean;
  readonly timestampNanos: bigint;
  readonly headers: MsgHdrs | undefined;
}

export type Handler<T> = (message: T, delivery: Delivery) => Promise<void> | void;

export interface BatchItem<T> {
  readonly message: T;
  readonly delivery: Delivery;
}

/** Handles a batch; may return one entry per item (undefined = done, else that item's error). */
export type BatchHandler<T> = (items: readonly BatchItem<T>[]) => Promise<readonly unknown[] | void>;

export interface BatchOptions {
  /** Most messages in one batch. */
  readonly maxBatch: number;
  /** Longest the first message of a batch waits for the rest, ms (keep it well under the ack wait). */
  readonly maxWaitMs: number;
}

/** A running consumer; `stop()` stops pulling and resolves once the message in hand is done. */
export interface ConsumerHandle {
  readonly name: string;
  stop(): Promise<void>;
}

export interface PublishOptions {
  /** Nats-Msg-Id: a second publish with the same id inside the duplicate window is dropped. */
  msgId?: string;
}

export interface PublishResult {
  readonly seq: number;
  readonly duplicate: boolean;
}

/** Where a followed stream starts: a policy, a stream sequence to resume from (inclusive), or the first message stored at or after a time. */
export type FollowStart = 'all' | 'new' | 'last_per_subject' | { readonly startSeq: bigint | number } | { readonly startTime: Date };

export interface FollowOptions {
  /**
   * `all` replays history (to rebuild state), `new` starts now, `last_per_subject` reads current
   * values, `{ startSeq }` resumes at that stream sequence (a checkpoint's last sequence + 1),
   * `{ startTime }` reads what was stored since then (a look-back window).
   */
  deliver: FollowStart;
  /** Called once when the replay has reached the end of the stream as it was when following began. */
  onCaughtUp?: () => void;
}

/** Thrown inside a handler to refuse a message for good (it is terminated, counted, not retried). */
export class PoisonMessageError extends BusError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super('BUS_POISON_MESSAGE', message);
  }
}

/**
 * The platform's one door to NATS: typed, traced publish and consume over JetStream.
 *
 * Payloads are protobuf (ts-proto codecs); every publish carries W3C trace context in its
 * headers and, where money is involved, a Nats-Msg-Id so retries are deduplicated.
 */
export class Bus {
  readonly subjects: Subjects;
  readonly topology: Topology;
  private readonly handles = new Set<ConsumerHandle>();
  private readonly logger: BusLogger;
  private readonly observer: BusObserver;
  private readonly pullExpiresMs: number;

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    options: BusOptions,
  ) {
    this.subjects = new Subjects(options.namespace ?? '');
    this.topology = new Topology(this.subjects, options.topology);
    this.logger = options.logger ?? noopLogger;
    this.observer = options.observer ?? noopObserver;
    this.pullExpiresMs = options.pullExpiresMs ?? DEFAULT_PULL_EXPIRES_MS;
  }

  static async connect(options: BusOptions): Promise<Bus> {
    let nc: NatsConnection;
    try {
      nc = await connect({
        ...natsConnectionOptions(options),
        name: options.name,
        // A long-lived service keeps trying; readiness reports the outage meanwhile.
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
      });
    } catch (err) {
      throw new BusConnectError(options.servers, err);
    }
    const jsm = await jetstreamManager(nc);
    const bus = new Bus(nc, jetstream(nc), jsm, options);
    bus.watchStatus();
    return bus;
  }

  private watchStatus(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') {
          // An error status is what the server refused, e.g. a permissions violation naming the subject.
          const error = 'error' in s ? (s.error as Error | undefined)?.message : undefined;
          this.logger.warn({ status: s.type, server: 'server' in s ? s.server : undefined, error }, `nats ${s.type}`);
        }
      }
    })();
  }

  /** True while the connection is up (what readiness reports). */
  get connected(): boolean {
    return !this.nc.isClosed() && !this.nc.isDraining();
  }

  async publish<T>(subject: string, codec: MessageCodec<T>, message: T, options: PublishOptions = {}): Promise<PublishResult> {
    const template = this.subjects.template(subject);
    const headers = natsHeaders();
    const span = startPublishSpan(subject, template, headers, options.msgId);
    const started = process.hrtime.bigint();
    try {
      const data = codec.encode(message).finish();
      const ack = await this.js.publish(subject, data, {
        headers,
        ...(options.msgId !== undefined ? { msgID: options.msgId } : {}),
      });
      this.observer.published(template, Number(process.hrtime.bigint() - started) / 1e9);
      endSpan(span);
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      endSpan(span, err);
      throw new PublishError(subject, err);
    }
  }

  /**
   * Processes a declared durable consumer one message at a time with explicit acks.
   * A handler error naks with the consumer's backoff; on the last allowed delivery the message
   * is terminated and counted as a dead letter, so a failure is visible, never silent.
   */
  async consume<T>(decl: DurableDeclaration, codec: MessageCodec<T>, handler: Handler<T>): Promise<ConsumerHandle> {
    const name = decl.config.durable_name;
    const { consumer, bound } = await this.bindDurable(decl);
    const messages = await consumer.consume({ max_messages: Math.min(decl.config.max_ack_pending ?? 64, 256), expires: pullExpiresFor(name, this.pullExpiresMs) });
    const maxDeliver = decl.config.max_deliver;
    const retryDelaysMs = (decl.config.backoff ?? []).map((ns) => Math.round(Number(ns) / 1e6));
    const loop = this.runLoop(messages, async (m) => {
      const template = this.subjects.template(m.subject);
      const started = process.hrtime.bigint();
      const outcome = await this.handleDurable(m, template, name, maxDeliver, retryDelaysMs, codec, handler);
      this.observer.handled(template, name, outcome, Number(process.hrtime.bigint() - started) / 1e9);
    });
    return this.track(name, messages, loop, bound);
  }

  private async handleDurable<T>(
    m: JsMsg,
    template: string,
    consumer: string,
    maxDeliver: number,
    retryDelaysMs: readonly number[],
    codec: MessageCodec<T>,
    handler: Handler<T>,
  ): Promise<DeliveryOutcome> {
    // term() carries no reason: nats-server 2.9 does not understand "+TERM <reason>" and would
    // redeliver; the reason goes to the log and the rejected-messages metric instead.
    let message: T;
    try {
      message = codec.decode(m.data);
    } catch (err) {
      this.observer.rejected(template, 'decode');
      this.logger.error({ subject: m.subject, seq: m.seq, consumer, err }, 'undecodable message terminated');
      m.term();
      return 'rejected';
    }
    try {
      await withProcessSpan(m.subject, template, m.headers, consumer, () => Promise.resolve(handler(message, deliveryOf(m))));
      m.ack();
      return 'ack';
    } catch (err) {
      return this.settleFailure(m, template, consumer, maxDeliver, retryDelaysMs, err);
    }
  }

  /** Terminates a refused or exhausted message, or naks it for redelivery after the declared backoff step. */
  private settleFailure(m: JsMsg, template: string, consumer: string, maxDeliver: number, retryDelaysMs: readonly number[], err: unknown): DeliveryOutcome {
    if (err instanceof PoisonMessageError) {
      this.observer.rejected(template, err.reason);
      this.logger.error({ subject: m.subject, seq: m.seq, consumer, reason: err.reason, err }, 'message refused');
      m.term();
      return 'rejected';
    }
    if (m.info.deliveryCount >= maxDeliver) {
      this.logger.error(
        { subject: m.subject, seq: m.seq, consumer, deliveries: m.info.deliveryCount, err },
        'handler failed on the last allowed delivery: message dead-lettered (it stays in the stream)',
      );
      m.term();
      return 'dead_letter';
    }
    // A plain nak is redelivered at once (the consumer's backoff only paces ack timeouts), so
    // a failing dependency would burn every delivery in milliseconds: wait the declared step.
    const delayMs = retryDelaysMs[Math.min(m.info.deliveryCount, retryDelaysMs.length) - 1] ?? DEFAULT_RETRY_DELAY_MS;
    this.logger.warn({ subject: m.subject, seq: m.seq, consumer, deliveries: m.info.deliveryCount, retryInMs: delayMs, err }, 'handler failed, will retry');
    m.nak(delayMs);
    return 'retry';
  }

  /**
   * Processes a declared durable consumer in batches: up to `maxBatch` messages, or whatever
   * arrived within `maxWaitMs` of the first, go to `handler` together (bulk writes). The handler
   * may return one entry per item: undefined for success, or the error of that item alone; if it
   * throws, every item failed. Each item is then acked, naked with the backoff, or terminated
   * exactly as `consume` does. While a batch is handled its messages' ack timers are reset, and no
   * further batch starts, so the consumer's max_ack_pending bounds the messages in hand.
   * (Batches carry no per-message trace spans: they serve bulk storage, not the traced order flow.)
   */
  async consumeBatches<T>(decl: DurableDeclaration, codec: MessageCodec<T>, handler: BatchHandler<T>, options: BatchOptions): Promise<ConsumerHandle> {
    const name = decl.config.durable_name;
    const { consumer, bound } = await this.bindDurable(decl);
    const messages = await consumer.consume({ max_messages: Math.max(1, Math.min(decl.config.max_ack_pending ?? options.maxBatch, options.maxBatch * 2)), expires: pullExpiresFor(name, this.pullExpiresMs) });
    const maxDeliver = decl.config.max_deliver;
    const retryDelaysMs = (decl.config.backoff ?? []).map((ns) => Math.round(Number(ns) / 1e6));
    let buffer: JsMsg[] = [];
    let timer: NodeJS.Timeout | undefined;
    let chain: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      clearTimeout(timer);
      timer = undefined;
      const batch = buffer;
      buffer = [];
      if (batch.length > 0) chain = chain.then(() => this.handleBatch(batch, name, maxDeliver, retryDelaysMs, codec, handler));
      return chain;
    };
    const loop = this.runLoop(messages, async (m) => {
      buffer.push(m);
      if (buffer.length === 1) timer = setTimeout(() => void flush(), options.maxWaitMs);
      if (buffer.length >= options.maxBatch) await flush();
    }).then(() => flush());
    return this.track(`batches ${name}`, messages, loop, bound);
  }

  private async handleBatch<T>(
    batch: readonly JsMsg[],
    consumer: string,
    maxDeliver: number,
    retryDelaysMs: readonly number[],
    codec: MessageCodec<T>,
    handler: BatchHandler<T>,
  ): Promise<void> {
    const started = process.hrtime.bigint();
    const items: BatchItem<T>[] = [];
    const held: JsMsg[] = [];
    for (const m of batch) {
      try {
        items.push({ message: codec.decode(m.data), delivery: deliveryOf(m) });
        held.push(m);
      } catch (err) {
        this.observer.rejected(this.subjects.template(m.subject), 'decode');
        this.logger.error({ subject: m.subject, seq: m.seq, consumer, err }, 'undecodable message terminated');
        m.term();
      }
    }
    if (items.length === 0) return;
    // The write may take longer than the ack wait (the first backoff step): keep the messages ours.
    for (const m of held) m.working();
    let results: readonly unknown[] | void;
    try {
      results = await handler(items);
    } catch (err) {
      results = held.map(() => err);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    held.forEach((m, i) => {
      const err = results ? results[i] : undefined;
      const template = this.subjects.template(m.subject);
      let outcome: DeliveryOutcome = 'ack';
      if (err === undefined) m.ack();
      else outcome = this.settleFailure(m, template, consumer, maxDeliver, retryDelaysMs, err);
      this.observer.handled(template, consumer, outcome, seconds);
    });
  }

  private async bindDurable(decl: DurableDeclaration) {
    const name = decl.config.durable_name;
    let consumer;
    try {
      consumer = await this.js.consumers.get(decl.stream, name);
      await consumer.info(true);
    } catch (err) {
      throw new MissingConsumerError(decl.stream, name, err);
    }
    const bound: BoundConsumer = {
      stream: decl.stream,
      name,
      symbol: decl.symbol,
      lag: async () => {
        const info = await consumer.info();
        return { pending: info.num_pending, ackPending: info.num_ack_pending };
      },
    };
    return { consumer, bound };
  }

  /**
   * Reads a stream through an ordered (ephemeral, gap-free) consumer: for market data, and for
   * rebuilding state by replaying the streams that define it.
   */
  async follow<T>(
    stream: StreamKey,
    filterSubject: string,
    codec: MessageCodec<T>,
    handler: Handler<T>,
    options: FollowOptions,
  ): Promise<ConsumerHandle> {
    const streamName = this.topology.streamName(stream);
    const openAt = (start: FollowStart) => this.js.consumers.get(streamName, { filter_subjects: filterSubject, ...startOf(start) });
    const open = async (start: FollowStart) => {
      if (typeof start !== 'object' || !('startTime' in start)) return openAt(start);
      // nats.js starts an ordered consumer's cursor from its start sequence only: opened from a time,
      // a reset before its first message (missed heartbeats, a consumer lost) would recreate it from
      // sequence 1 and replay the whole stream. So the server turns the time into the sequence it
      // starts from (a consumer opened from a time reports the one before it as delivered), and the
      // follow opens from that sequence.
      const probe = await openAt(start);
      const from = (await probe.info(true)).delivered.stream_seq + 1;
      await probe.delete().catch((err: unknown) => this.logger.warn({ stream: streamName, err }, 'a look-back probe consumer could not be deleted (it expires when inactive)'));
      return openAt({ startSeq: from });
    };
    let caughtUp = options.onCaughtUp === undefined;
    const markCaughtUp = () => {
      if (!caughtUp) {
        caughtUp = true;
        options.onCaughtUp?.();
      }
    };
    let consumer = await open(options.deliver);
    const info = await consumer.info(true);
    if (info.num_pending === 0) markCaughtUp();
    // Named by template, not symbol, so metric labels stay few.
    const name = `follow ${this.subjects.template(filterSubject)}`;
    /** Stream sequence of the last message handled: where a resumed follow starts again. */
    let lastSeq = 0;
    /** The consumer's delivery sequence of the last message handled, and whether a handler is running. */
    let lastDelivery = 0;
    let handling = false;
    const onMessage = async (m: JsMsg): Promise<void> => {
      lastSeq = m.seq;
      lastDelivery = m.info.deliverySequence;
      const template = this.subjects.template(m.subject);
      const started = process.hrtime.bigint();
      let message: T;
      try {
        message = codec.decode(m.data);
      } catch (err) {
        this.observer.rejected(template, 'decode');
        this.logger.error({ subject: m.subject, seq: m.seq, err }, 'undecodable message skipped');
        if (m.info.pending === 0) markCaughtUp();
        return;
      }
      let outcome: DeliveryOutcome = 'ack';
      try {
        await withProcessSpan(m.subject, template, m.headers, name, () => Promise.resolve(handler(message, deliveryOf(m))));
      } catch (err) {
        // An ordered consumer cannot redeliver: the handler's own state is now suspect, so say so loudly.
        outcome = err instanceof PoisonMessageError ? 'rejected' : 'dead_letter';
        if (err instanceof PoisonMessageError) this.observer.rejected(template, err.reason);
        this.logger.error({ subject: m.subject, seq: m.seq, err }, 'handler failed on a followed message');
      }
      this.observer.handled(template, name, outcome, Number(process.hrtime.bigint() - started) / 1e9);
      if (m.info.pending === 0) markCaughtUp();
    };

    // The ordered consumer lives on one server. nats.js recreates it after missed heartbeats, but
    // not always (seen when the stream's leader was on a NATS node that died): a follow whose
    // heartbeats stay missing is stopped here and opened again right after the last message it
    // handled, so it neither skips nor repeats one.
    let stopped = false;
    let current: ConsumerMessages | undefined;
    const loop = (async () => {
      for (;;) {
        try {
          current = await consumer.consume({ max_messages: 512, expires: pullExpiresFor(name, this.pullExpiresMs) });
          this.watchConsumer(name, current, () => current?.stop());
          for await (const m of current) {
            handling = true;
            try {
              await onMessage(m);
            } finally {
              handling = false;
            }
          }
        } catch (err) {
          this.logger.error({ consumer: name, err }, 'follow ended with an error');
        }
        if (stopped) return;
        const start: FollowStart = lastSeq > 0 ? { startSeq: lastSeq + 1 } : options.deliver;
        this.logger.warn({ consumer: name, resumeAt: lastSeq > 0 ? lastSeq + 1 : options.deliver }, 'follow stalled; opening it again');
        for (;;) {
          await new Promise((r) => setTimeout(r, FOLLOW_RETRY_MS));
          if (stopped) return;
          try {
            consumer = await open(start);
            lastDelivery = 0; // a new consumer counts its deliveries from 1
            break;
          } catch (err) {
            this.logger.warn({ consumer: name, err }, 'follow cannot be opened yet');
          }
        }
      }
    })();
    // Catching up is seen on the message whose pending count is 0. Should that count never reach 0
    // (a consumer recreated under it, a count the server got wrong), the consumer's own state says
    // so once the follow is idle: nothing left to deliver, and its last delivery handled.
    let handledAtProbe = -1;
    const probe = caughtUp ? undefined : setInterval(() => {
      if (caughtUp || stopped) {
        clearInterval(probe);
        return;
      }
      if (lastSeq !== handledAtProbe) {
        handledAtProbe = lastSeq;
        return;
      }
      if (handling) return;
      consumer.info().then(
        (ci) => {
          if (caughtUp || handling || ci.num_pending > 0 || ci.delivered.consumer_seq !== lastDelivery) return;
          this.logger.warn({ consumer: name, lastSeq, delivered: ci.delivered.consumer_seq }, 'follow caught up without a last message saying so (found by consumer info)');
          markCaughtUp();
        },
        (err) => this.logger.warn({ consumer: name, err }, 'follow could not ask whether it has caught up; will ask again'),
      );
    }, CAUGHT_UP_PROBE_MS);
    probe?.unref();
    const handle: ConsumerHandle = {
      name,
      stop: async () => {
        stopped = true;
        clearInterval(probe);
        this.handles.delete(handle);
        current?.stop();
        await loop;
      },
    };
    this.handles.add(handle);
    return handle;
  }

  private runLoop(messages: ConsumerMessages, onMessage: (m: JsMsg) => Promise<void>): Promise<void> {
    return (async () => {
      for await (const m of messages) {
        await onMessage(m);
      }
    })().catch((err: unknown) => {
      this.logger.error({ err }, 'consumer loop ended with an error');
    });
  }

  private track(name: string, messages: ConsumerMessages, loop: Promise<void>, bound?: BoundConsumer): ConsumerHandle {
    const handle: ConsumerHandle = {
      name,
      stop: async () => {
        if (this.handles.delete(handle) && bound) this.observer.consumerUnbound?.(bound);
        messages.stop();
        await loop;
      },
    };
    this.handles.add(handle);
    if (bound) this.observer.consumerBound?.(bound);
    this.watchConsumer(name, messages);
    return handle;
  }

  /**
   * Logs what the client notices about a consumer (missed heartbeats, a consumer gone or
   * recreated, no responders): after a NATS node loss these say which consumer is stalled.
   * `onStall` runs once heartbeats have been missed STALL_HEARTBEATS times in a row.
   */
  private watchConsumer(name: string, messages: ConsumerMessages, onStall?: () => void): void {
    void (async () => {
      for await (const s of messages.status()) {
        if (!CONSUMER_TROUBLE.has(s.type)) continue; // the rest are nats.js debug events (next, heartbeat, discard…)
        this.logger.warn({ consumer: name, status: s.type, ...('count' in s ? { count: s.count } : {}) }, `consumer ${s.type}`);
        if (onStall && s.type === 'heartbeats_missed' && s.count >= STALL_HEARTBEATS) onStall();
      }
      // The status iterator ends with its consumer; an error at that point tells nothing new.
    })().catch(() => undefined);
  }

  /** Reads the last message on a subject of a last-value stream, or undefined. */
  async lastValue<T>(stream: StreamKey, subject: string, codec: MessageCodec<T>): Promise<T | undefined> {
    const m = await this.jsm.streams.getMessage(this.topology.streamName(stream), { last_by_subj: subject });
    return m ? codec.decode(m.data) : undefined;
  }

  /** Stops every consumer (finishing messages in hand), then drains and closes the connection. */
  async close(): Promise<void> {
    await Promise.all([...this.handles].map((h) => h.stop()));
    if (!this.nc.isClosed()) {
      await this.nc.drain();
    }
  }
}

function startOf(start: FollowStart): { deliver_policy: DeliverPolicy; opt_start_seq?: number; opt_start_time?: string } {
  switch (start) {
    case 'all':
      return { deliver_policy: DeliverPolicy.All };
    case 'new':
      return { deliver_policy: DeliverPolicy.New };
    case 'last_per_subject':
      return { deliver_policy: DeliverPolicy.LastPerSubject };
  }
  if ('startTime' in start) {
    if (!(start.startTime instanceof Date) || Number.isNaN(start.startTime.getTime())) throw new InvalidStartTimeError(start.startTime);
    return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.startTime.toISOString() };
  }
  const seq = Number(start.startSeq);
  // Stream sequences start at 1; 0 or a fraction would silently become "from the beginning".
  if (!Number.isSafeInteger(seq) || seq < 1) throw new InvalidStartSequenceError(start.startSeq);
  return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seq };
}

/** Retry delay for consumers declared without a backoff. */
const DEFAULT_RETRY_DELAY_MS = 1_000;

function deliveryOf(m: JsMsg): Delivery {
  return {
    subject: m.subject,
    streamSequence: m.seq,
    deliveryCount: m.info.deliveryCount,
    redelivered: m.redelivered,
    timestampNanos: m.timestampNanos,
    headers: m.headers,
  };
}
