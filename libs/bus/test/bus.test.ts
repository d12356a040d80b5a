import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Trade, OrderIntent, Side } from '@meridian/proto';
import { createTestEnvironment, waitFor } from '@meridian/testkit';
import type { TestEnvironment } from '@meridian/testkit';
import { Bus, PoisonMessageError, provisionTopology, traceIdOf, MissingConsumerError, InvalidStartSequenceError, InvalidStartTimeError } from '../src';
import type { Delivery } from '../src';

new NodeTracerProvider().register();

let env: TestEnvironment;
let bus: Bus;
const shard = { symbols: ['BTC-USDT'], venues: ['paper'] };

beforeAll(async () => {
  env = await createTestEnvironment('bus');
  bus = await Bus.connect({ servers: env.natsUrl, name: 'bus-test', namespace: env.namespace });
  await provisionTopology(bus.jsm, bus.topology, [shard]);
});

afterAll(async () => {
  await bus?.close();
  await env?.cleanup();
});

function intent(id: string): OrderIntent {
  return OrderIntent.fromPartial({ clientOrderId: id, symbol: 'BTC-USDT', venue: 'paper', side: Side.SIDE_BUY, quantity: '0.01', tsNs: 1n });
}

test('provisioning twice is idempotent and declares every stream', async () => {
  const again = await provisionTopology(bus.jsm, bus.topology, [shard]);
  expect(again.streams.map((s) => s.action)).toEqual(Array(7).fill('updated'));
  const names = again.streams.map((s) => s.name);
  expect(names).toEqual(['MARKET', 'BOOKS', 'SIGNALS', 'ORDERS', 'EXECUTIONS', 'CONTROL', 'RISK'].map((k) => `${env.namespace}_${k}`));
});

test('a repeated Nats-Msg-Id is deduplicated', async () => {
  const subject = bus.subjects.intent('BTC-USDT');
  const first = await bus.publish(subject, OrderIntent, intent('dup-1'), { msgId: 'dup-1' });
  const second = await bus.publish(subject, OrderIntent, intent('dup-1'), { msgId: 'dup-1' });
  expect(first.duplicate).toBe(false);
  expect(second.duplicate).toBe(true);
  expect(second.seq).toBe(first.seq);
});

test('a durable consumer delivers typed messages with the producer trace, retries failures, terminates poison', async () => {
  const [decl] = bus.topology.durables('risk', shard);
  const seen: { id: string; delivery: Delivery }[] = [];
  let failOnce = true;
  let failedAt = 0;
  let retriedAfterMs = 0;
  const handle = await bus.consume(decl!, OrderIntent, (m, d) => {
    if (m.clientOrderId === 'poison') throw new PoisonMessageError('test_poison', 'refused');
    if (m.clientOrderId === 'flaky' && failOnce) {
      failOnce = false;
      failedAt = Date.now();
      throw new Error('transient');
    }
    if (m.clientOrderId === 'flaky') retriedAfterMs = Date.now() - failedAt;
    seen.push({ id: m.clientOrderId, delivery: d });
  });
  const subject = bus.subjects.intent('BTC-USDT');
  await bus.publish(subject, OrderIntent, intent('poison'), { msgId: 'poison' });
  await bus.publish(subject, OrderIntent, intent('flaky'), { msgId: 'flaky' });
  await bus.publish(subject, OrderIntent, intent('ok'), { msgId: 'ok' });
  await waitFor('three intents handled', () => seen.length >= 3).catch((e) => { throw new Error(e.message + JSON.stringify(seen.map((s) => [s.id, s.delivery.deliveryCount]))); });
  await handle.stop();
  expect(seen.map((s) => s.id)).toEqual(['dup-1', 'flaky', 'ok']);
  const flaky = seen.find((s) => s.id === 'flaky')!;
  expect(flaky.delivery.deliveryCount).toBe(2);
  // Redelivered after the declared first backoff step (500 ms), not at once.
  expect(retriedAfterMs).toBeGreaterThanOrEqual(450);
  expect(traceIdOf(flaky.delivery.headers)).toMatch(/^[0-9a-f]{32}$/);
});

test('consume refuses an undeclared consumer with a message saying how to provision it', async () => {
  const [decl] = bus.topology.durables('risk', { symbols: ['ETH-USDT'], venues: [] });
  await expect(bus.consume(decl!, OrderIntent, () => undefined)).rejects.toBeInstanceOf(MissingConsumerError);
});

test('follow replays history, reports catching up, then continues live', async () => {
  const subject = bus.subjects.marketData('sim', 'BTC-USDT', 'trades');
  for (let i = 0; i < 5; i++) {
    await bus.publish(subject, Trade, Trade.fromPartial({ tradeId: `t${i}`, price: '100', size: '1', symbol: 'BTC-USDT' }));
  }
  const ids: string[] = [];
  let caughtUpAt = -1;
  const handle = await bus.follow('MARKET', subject, Trade, (t) => void ids.push(t.tradeId), {
    deliver: 'all',
    onCaughtUp: () => (caughtUpAt = ids.length),
  });
  await waitFor('replay caught up', () => caughtUpAt >= 0);
  await bus.publish(subject, Trade, Trade.fromPartial({ tradeId: 'live', price: '101', size: '1', symbol: 'BTC-USDT' }));
  await waitFor('live trade', () => ids.includes('live'));
  await handle.stop();
  expect(caughtUpAt).toBe(5);
  expect(ids).toEqual(['t0', 't1', 't2', 't3', 't4', 'live']);
});

test('follow resumes at a stream sequence, counting only the filtered subject', async () => {
  const subject = bus.subjects.marketData('sim', 'ETH-USDT', 'trades');
  const other = bus.subjects.marketData('sim', 'SOL-USDT', 'trades');
  const seqs: number[] = [];
  for (let i = 0; i < 4; i++) {
    seqs.push((await bus.publish(subject, Trade, Trade.fromPartial({ tradeId: `r${i}`, price: '10', size: '1', symbol: 'ETH-USDT' }))).seq);
    await bus.publish(other, Trade, Trade.fromPartial({ tradeId: `o${i}`, price: '10', size: '1', symbol: 'SOL-USDT' }));
  }
  const seen: { id: string; seq: number }[] = [];
  let caughtUp = false;
  // bigint, as a checkpoint's uint64 field arrives from ts-proto.
  const handle = await bus.follow('MARKET', subject, Trade, (t, d) => void seen.push({ id: t.tradeId, seq: d.streamSequence }), {
    deliver: { startSeq: BigInt(seqs[2]!) },
    onCaughtUp: () => (caughtUp = true),
  });
  await waitFor('resumed replay caught up', () => caughtUp);
  await handle.stop();
  expect(seen).toEqual([
    { id: 'r2', seq: seqs[2] },
    { id: 'r3', seq: seqs[3] },
  ]);
});

test('follow refuses a start sequence that is not a stream sequence', async () => {
  const subject = bus.subjects.marketData('sim', 'ETH-USDT', 'trades');
  await expect(bus.follow('MARKET', subject, Trade, () => undefined, { deliver: { startSeq: 0 } })).rejects.toBeInstanceOf(InvalidStartSequenceError);
  await expect(bus.follow('MARKET', subject, Trade, () => undefined, { deliver: { startSeq: 1.5 } })).rejects.toThrow(/invalid start sequence 1.5/);
});

test('follow from a time reads what was stored since then, of the filtered subjects only', async () => {
  const subject = bus.subjects.bars('sim', 'ADA-USDT', '1m');
  await bus.publish(subject, Trade, Trade.fromPartial({ tradeId: 'before' }));
  await new Promise((r) => setTimeout(r, 50));
  const since = new Date();
  await new Promise((r) => setTimeout(r, 50));
  const afterSeq = (await bus.publish(subject, Trade, Trade.fromPartial({ tradeId: 'after-1' }))).seq;
  await bus.publish(bus.subjects.bars('sim', 'XRP-USDT', '1m'), Trade, Trade.fromPartial({ tradeId: 'other-symbol' }));
  await bus.publish(bus.subjects.bars('sim', 'ADA-USDT', '5m'), Trade, Trade.fromPartial({ tradeId: 'other-interval' }));
  await bus.publish(subject, Trade, Trade.fromPartial({ tradeId: 'after-2' }));
  const seen: string[] = [];
  let caughtUp = false;
  const handle = await bus.follow('MARKET', bus.subjects.barsOfVenue('sim', '1m'), Trade, (t) => void seen.push(t.tradeId), {
    deliver: { startTime: since },
    onCaughtUp: () => (caughtUp = true),
  });
  await waitFor('the look-back caught up', () => caughtUp);
  // Opened from the sequence the time maps to, so a reset of the ordered consumer resumes there, not at 1.
  const market = bus.topology.streamName('MARKET');
  const opened = [];
  for await (const c of bus.jsm.consumers.list(market)) if (c.config.filter_subject === bus.subjects.barsOfVenue('sim', '1m')) opened.push(c.config);
  expect(opened.map((c) => [c.deliver_policy, c.opt_start_seq])).toEqual([['by_start_sequence', afterSeq]]);
  await handle.stop();
  expect(seen).toEqual(['after-1', 'other-symbol', 'after-2']);
  await expect(bus.follow('MARKET', subject, Trade, () => undefined, { deliver: { startTime: new Date(Number.NaN) } })).rejects.toBeInstanceOf(InvalidStartTimeError);
});

test('subjects and templates of the risk stream and risk checkpoints', () => {
  const s = bus.subjects;
  expect(s.template(s.riskEquity('main'))).toBe('risk.equity.{account}');
  expect(s.template(s.riskEvent('breaker'))).toBe('risk.event.breaker');
  expect(s.template(s.stop('BTC-USDT'))).toBe('ctl.stop.{symbol}');
  expect(s.template(s.breaker('main'))).toBe('ctl.breaker.{account}');
  expect(s.template(s.config('risk'))).toBe('ctl.config.{service}');
  expect(() => s.riskEquity('a.b')).toThrow(/invalid account "a.b"/);
  const risk = bus.topology.streams().find((d) => d.key === 'RISK')!.config;
  expect(risk.subjects).toEqual([`${env.namespace}.risk.>`]);
  expect(risk.max_age).toBe(30 * 24 * 60 * 60 * 1000 * 1_000_000);
});

test('subjects refuse tokens that would split a subject', () => {
  expect(() => bus.subjects.intent('BRK.B')).toThrow(/invalid symbol "BRK.B"/);
  expect(bus.subjects.template(bus.subjects.approved('paper', 'BTC-USDT'))).toBe('ord.approved.{venue}.{symbol}');
});

test('consumeBatches hands over batches, acks the good items, retries the failed one and terminates poison', async () => {
  // recorder-approved allows 256 unacked messages; a durable with max_ack_pending 1 would only ever batch one.
  const decl = bus.topology.durables('recorder', shard).find((d) => d.config.durable_name === 'recorder-approved');
  const batches: string[][] = [];
  const done: string[] = [];
  let failFlakyOnce = true;
  const handle = await bus.consumeBatches(
    decl!,
    OrderIntent,
    async (items) => {
      batches.push(items.map((i) => i.message.clientOrderId));
      return items.map(({ message }) => {
        if (message.clientOrderId === 'b-poison') return new PoisonMessageError('test_poison', 'refused');
        if (message.clientOrderId === 'b-flaky' && failFlakyOnce) {
          failFlakyOnce = false;
          return new Error('transient');
        }
        done.push(message.clientOrderId);
        return undefined;
      });
    },
    { maxBatch: 4, maxWaitMs: 50 },
  );
  const subject = bus.subjects.approved('paper', 'SOL-USDT');
  for (const id of ['b-1', 'b-2', 'b-flaky', 'b-poison', 'b-3', 'b-4']) await bus.publish(subject, OrderIntent, intent(id), { msgId: id });
  await waitFor('every good item done', () => done.length === 5, 5_000);
  await handle.stop();
  expect(batches[0]).toEqual(['b-1', 'b-2', 'b-flaky', 'b-poison']);
  expect(batches.every((b) => b.length <= 4)).toBe(true);
  expect(done.sort()).toEqual(['b-1', 'b-2', 'b-3', 'b-4', 'b-flaky']);
  // The flaky item came back alone after the backoff step; poison never came back.
  expect(batches.flat().filter((id) => id === 'b-flaky')).toHaveLength(2);
  expect(batches.flat().filter((id) => id === 'b-poison')).toHaveLength(1);
  // Acks are fire-and-forget publishes: the last may reach the server just after the handler returned.
  const settled = async () => {
    const info = await bus.jsm.consumers.info(decl!.stream, decl!.config.durable_name);
    return { ackPending: info.num_ack_pending, pending: info.num_pending };
  };
  await waitFor('every ack on the server', async () => (await settled()).ackPending === 0, 5_000);
  expect(await settled()).toEqual({ ackPending: 0, pending: 0 });
});
