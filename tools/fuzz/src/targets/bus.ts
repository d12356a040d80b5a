import fc from 'fast-check';
import { Bus } from '@meridian/bus';
import type { ConsumerHandle, DeliveryOutcome, DurableDeclaration } from '@meridian/bus';
import { Bar } from '@meridian/proto';
import type { MessageCodec } from '@meridian/proto';
import { barFromWire } from '@meridian/recorder/dist/bar-records';
import { Broken, Refused, target } from '../target';
import { protoBytes } from './proto';
import { wireBar } from './recorder';
import { natsNamespace } from './servers';
import type { NatsNamespace } from './servers';

interface Pending {
  readonly data: Uint8Array;
  resolve(result: { outcome: DeliveryOutcome; reason: string | undefined }): void;
}

/** What the consumer is doing, as the codec and the observer see it. */
interface Tracking {
  pending: Pending | undefined;
  /** The bytes the consumer is handling now (set by the codec, read when its outcome is reported). */
  handling: Uint8Array | undefined;
  reason: string | undefined;
}

interface BusContext {
  readonly ns: NatsNamespace;
  readonly consumerBus: Bus;
  readonly handle: ConsumerHandle;
  readonly tracking: Tracking;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

/** A published message: a bar message (valid or not), raw protobuf of any shape, or bytes with a few flipped. */
const message = fc.oneof(
  { weight: 3, arbitrary: wireBar.map(({ bar }) => ({ bar, data: Bar.encode(bar).finish() })) },
  { weight: 2, arbitrary: protoBytes.map((data) => ({ bar: undefined, data })) },
  {
    weight: 1,
    arbitrary: fc.tuple(wireBar, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 })).map(([{ bar }, flips]) => {
      const data = Bar.encode(bar).finish();
      for (const [at, byte] of flips) if (data.length > 0) data[at % data.length] = byte;
      return { bar: undefined, data };
    }),
  },
);

/**
 * The bus's poison-message path (libs/bus `Bus.consume`) with the recorder's bar check as the
 * handler, on the real JetStream server: messages are published on the bars subject the recorder's
 * durable consumer reads. Each must end acknowledged (a storable bar) or terminated and counted
 * (undecodable, or refused with a `PoisonMessageError`); a retry means an error that is not a
 * `PoisonMessageError` escaped the handler, so a message that can never succeed would be
 * redelivered until it is dead-lettered.
 */
export const busPoisonPath = target<{ bar: Bar | undefined; data: Uint8Array }, BusContext>({
  name: 'bus.poison-path',
  calls: 'libs/bus Bus.consume (decode, PoisonMessageError, retry) + services/recorder barFromWire, on NATS JetStream',
  weight: 3,
  ciRuns: 60,
  codes: [],
  requires: ['nats'],
  async: true,
  arbitrary: message,
  async setup() {
    const ns = await natsNamespace('fuzzbus', ['BTC-USDT'], ['paper']);
    const decl = ns.bus.topology.durables('recorder', { symbols: ['BTC-USDT'], venues: ['paper'] }).find((d) => d.config.durable_name === 'recorder-bars') as DurableDeclaration;
    // A second connection with an observer: the outcome of every delivery, and the reason of a termination.
    const tracking: Tracking = { pending: undefined, handling: undefined, reason: undefined };
    const bus = await Bus.connect({
      servers: ns.natsUrl,
      name: 'fuzz-bus-consumer',
      namespace: ns.namespace,
      observer: {
        published() {},
        rejected(_template, reason) {
          tracking.reason = reason;
        },
        handled(_template, _consumer, outcome) {
          const p = tracking.pending;
          if (!p || !tracking.handling || !sameBytes(tracking.handling, p.data)) return; // a redelivery of an earlier input
          tracking.pending = undefined;
          p.resolve({ outcome, reason: tracking.reason });
        },
      },
    });
    const codec: MessageCodec<Bar> = {
      ...Bar,
      decode: (input, length) => {
        if (input instanceof Uint8Array) {
          tracking.handling = input;
          tracking.reason = undefined;
        }
        return Bar.decode(input, length);
      },
    };
    const handle = await bus.consume(decl, codec, (bar, delivery) => {
      barFromWire(bar, delivery.subject, (v, s, i) => bus.subjects.bars(v, s, i));
    });
    return { ns, consumerBus: bus, handle, tracking };
  },
  async teardown(c) {
    await c.handle.stop();
    await c.consumerBus.close();
    await c.ns.close();
  },
  async run({ bar, data }, c) {
    let subject = c.ns.bus.subjects.bars('okx', 'BTC-USDT', '1m');
    if (bar !== undefined) {
      try {
        const own = c.ns.bus.subjects.bars(bar.venue, bar.symbol, bar.interval);
        // Producers' tokens are platform symbols (at most 64 characters); a subject past NATS's 4 KiB control line would cost the connection, not test the consumer.
        if (own.length <= 256) subject = own;
      } catch {
        // Not subject tokens: it goes on a bars subject of another series (and must be refused for that).
      }
    }
    const result = new Promise<{ outcome: DeliveryOutcome; reason: string | undefined }>((resolve) => (c.tracking.pending = { data, resolve }));
    await c.ns.bus.js.publish(subject, data);
    const { outcome, reason } = await result;
    if (outcome === 'ack') return undefined;
    if (outcome === 'rejected') throw new Refused(`terminated/${reason ?? '?'}`);
    throw new Broken(`the message was not terminated but ${outcome === 'retry' ? 'naked for a retry' : 'dead-lettered'}: its handler threw something other than a PoisonMessageError`);
  },
});
