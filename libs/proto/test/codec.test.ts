import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { Decimal, DomainError, InvalidDecimalError, InvalidSideError } from '@meridian/domain';
import {
  BookUpdate,
  ExecutionKind,
  ExecutionReport,
  OrderIntent,
  OrderStatus,
  OrderType,
  PROTO_PACKAGE,
  Side,
  TimeInForce,
  decimalField,
  descriptorSetPath,
  optionalDecimalField,
  sideFromWire,
  sideToWire,
} from '../src';
import type { MessageCodec } from '../src';

const ABOVE_2_53 = 2n ** 53n + 1n; // 9007199254740993: the first integer a double cannot hold
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
const TS_NS = 1_763_000_000_123_456_789n; // a realistic nanosecond timestamp, > 2^53

function roundTrip<T>(codec: MessageCodec<T>, message: T): T {
  const bytes = codec.encode(message).finish();
  expect(bytes).toBeInstanceOf(Uint8Array);
  return codec.decode(bytes);
}

describe('BookUpdate', () => {
  test.each([
    ['2^53 + 1', ABOVE_2_53, TS_NS, TS_NS + 1n],
    ['uint64 max / int64 max', UINT64_MAX, INT64_MAX, INT64_MAX - 1n],
    ['int64 min', 1n, INT64_MIN, -1n],
  ])('round-trips seq and timestamps exactly (%s)', (_name, seq, tsNs, receivedTsNs) => {
    const msg = BookUpdate.fromPartial({
      venue: 'okx',
      symbol: 'BTC-USDT',
      seq,
      snapshot: true,
      bids: [
        { price: '65000.1', size: '1.5' },
        { price: '64999.9', size: '0' },
      ],
      asks: [{ price: '65000.2', size: '0.000000000000000001' }],
      tsNs,
      receivedTsNs,
    });
    const back = roundTrip(BookUpdate, msg);
    expect(back).toEqual(msg);
    expect(back.seq).toBe(seq);
    expect(back.tsNs).toBe(tsNs);
    expect(back.receivedTsNs).toBe(receivedTsNs);
    expect(typeof back.seq).toBe('bigint');
  });

  test('the decoded value differs from what a double would have kept', () => {
    const back = roundTrip(BookUpdate, BookUpdate.fromPartial({ seq: ABOVE_2_53 }));
    expect(back.seq.toString()).toBe('9007199254740993');
    expect(BigInt(Number(back.seq))).not.toBe(back.seq);
  });

  test('defaults are not written and decode to zero values', () => {
    const empty = BookUpdate.fromPartial({});
    expect(BookUpdate.encode(empty).finish()).toHaveLength(0);
    expect(BookUpdate.decode(new Uint8Array())).toEqual({
      venue: '',
      symbol: '',
      seq: 0n,
      snapshot: false,
      bids: [],
      asks: [],
      tsNs: 0n,
      receivedTsNs: 0n,
    });
  });

  test('values outside the 64-bit range are refused on encode, naming the field', () => {
    expect(() => BookUpdate.encode(BookUpdate.fromPartial({ seq: UINT64_MAX + 1n }))).toThrow(/seq of type uint64/);
    expect(() => BookUpdate.encode(BookUpdate.fromPartial({ seq: -1n }))).toThrow(/seq of type uint64/);
    expect(() => BookUpdate.encode(BookUpdate.fromPartial({ tsNs: INT64_MAX + 1n }))).toThrow(/tsNs of type int64/);
    expect(() => BookUpdate.encode(BookUpdate.fromPartial({ receivedTsNs: INT64_MIN - 1n }))).toThrow(/receivedTsNs of type int64/);
  });

  test('JSON carries int64 as strings, losslessly', () => {
    const msg = BookUpdate.fromPartial({ symbol: 'ETH-USDT', seq: UINT64_MAX, tsNs: ABOVE_2_53 });
    const json = BookUpdate.toJSON(msg) as Record<string, unknown>;
    expect(json.seq).toBe('18446744073709551615');
    expect(json.tsNs).toBe('9007199254740993');
    expect(BookUpdate.fromJSON(JSON.parse(JSON.stringify(json)))).toEqual(msg);
    // snake_case input is accepted too.
    expect(BookUpdate.fromJSON({ ts_ns: '9007199254740993' }).tsNs).toBe(ABOVE_2_53);
  });

  test('unknown fields from a newer producer are skipped', () => {
    const writer = BookUpdate.encode(BookUpdate.fromPartial({ symbol: 'BTC-USDT', seq: ABOVE_2_53 }));
    writer.uint32((99 << 3) | 2).string('from the future'); // field 99, length-delimited
    writer.uint32((98 << 3) | 0).uint64(UINT64_MAX); // field 98, varint
    const back = BookUpdate.decode(writer.finish());
    expect(back.symbol).toBe('BTC-USDT');
    expect(back.seq).toBe(ABOVE_2_53);
  });

  test('a truncated message is refused', () => {
    const bytes = BookUpdate.encode(BookUpdate.fromPartial({ venue: 'okx', symbol: 'BTC-USDT', seq: ABOVE_2_53 })).finish();
    expect(() => BookUpdate.decode(bytes.subarray(0, bytes.length - 3))).toThrow();
  });
});

describe('OrderIntent', () => {
  test('round-trips every field with a timestamp above 2^53', () => {
    const msg: OrderIntent = {
      clientOrderId: '01JD6Z8N7Q2V3W4X5Y6Z7A8B9C',
      strategy: 'mean-reversion',
      venue: 'paper',
      symbol: 'BTC-USDT',
      side: Side.SIDE_SELL,
      type: OrderType.ORDER_TYPE_LIMIT,
      timeInForce: TimeInForce.TIME_IN_FORCE_IOC,
      quantity: '0.00012345',
      limitPrice: '65432.10',
      referencePrice: '65430',
      tsNs: TS_NS,
      stopPrice: '65000',
      postOnly: true,
      parentOrderId: '01JD6Z8N7Q2V3W4X5Y6Z7A8B9D',
    };
    const back = roundTrip(OrderIntent, msg);
    expect(back).toEqual(msg);
    expect(back.tsNs).toBe(TS_NS);
    expect(OrderIntent.fromJSON(OrderIntent.toJSON(msg))).toEqual(msg);
  });

  test('fromPartial accepts int64 as bigint, string or number', () => {
    expect(OrderIntent.fromPartial({ tsNs: '1763000000123456789' }).tsNs).toBe(TS_NS);
    expect(OrderIntent.fromPartial({ tsNs: TS_NS }).tsNs).toBe(TS_NS);
    expect(OrderIntent.fromPartial({ tsNs: 42 }).tsNs).toBe(42n);
  });
});

describe('ExecutionReport', () => {
  test('round-trips a fill with a timestamp above 2^53', () => {
    const msg = ExecutionReport.fromPartial({
      executionId: 'exec-1',
      kind: ExecutionKind.EXECUTION_KIND_FILL,
      status: OrderStatus.ORDER_STATUS_PARTIALLY_FILLED,
      venue: 'paper',
      symbol: 'BTC-USDT',
      clientOrderId: 'c-1',
      venueOrderId: 'v-1',
      strategy: 's',
      side: Side.SIDE_BUY,
      orderQuantity: '1',
      fillQuantity: '0.25',
      fillPrice: '65000.5',
      fee: '0.01625125',
      feeCurrency: 'USDT',
      maker: true,
      cumulativeQuantity: '0.25',
      leavesQuantity: '0.75',
      reason: '',
      tsNs: INT64_MAX,
    });
    const back = roundTrip(ExecutionReport, msg);
    expect(back).toEqual(msg);
    expect(back.tsNs).toBe(INT64_MAX);
    expect(back.maker).toBe(true);
    expect(back.kind).toBe(ExecutionKind.EXECUTION_KIND_FILL);
  });

  test('an enum value this build does not know survives decoding as its number', () => {
    const writer = new BinaryWriter();
    writer.uint32((2 << 3) | 0).int32(42); // kind = 42
    writer.uint32((1 << 3) | 2).string('exec-2');
    const back = ExecutionReport.decode(writer.finish());
    expect(back.executionId).toBe('exec-2');
    expect(back.kind as number).toBe(42);
  });
});

describe('sideFromWire / sideToWire', () => {
  test('maps buy and sell both ways', () => {
    expect(sideFromWire(Side.SIDE_BUY)).toBe('BUY');
    expect(sideFromWire(Side.SIDE_SELL)).toBe('SELL');
    expect(sideToWire('BUY')).toBe(Side.SIDE_BUY);
    expect(sideToWire('SELL')).toBe(Side.SIDE_SELL);
    expect(sideFromWire(sideToWire('BUY'))).toBe('BUY');
    expect(sideFromWire(sideToWire('SELL'))).toBe('SELL');
  });

  test.each([
    ['SIDE_UNSPECIFIED', Side.SIDE_UNSPECIFIED],
    ['UNRECOGNIZED', Side.UNRECOGNIZED],
    ['an unknown number', 7 as Side],
  ])('refuses %s', (_name, side) => {
    let err: unknown;
    try {
      sideFromWire(side);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidSideError);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as InvalidSideError).code).toBe('INVALID_SIDE');
    expect((err as Error).message).toContain(`"${side}"`);
  });

  test('a decoded message with an unset side is refused', () => {
    const back = roundTrip(OrderIntent, OrderIntent.fromPartial({ symbol: 'BTC-USDT' }));
    expect(back.side).toBe(Side.SIDE_UNSPECIFIED);
    expect(() => sideFromWire(back.side)).toThrow(InvalidSideError);
  });
});

describe('decimalField / optionalDecimalField', () => {
  test('parses exact decimals', () => {
    const d = decimalField('limit_price', '65432.10');
    expect(d).toBeInstanceOf(Decimal);
    expect(d.toString()).toBe('65432.1');
    expect(decimalField('quantity', '-0.000000000000000001').toString()).toBe('-0.000000000000000001');
  });

  test.each(['', 'abc', '1e5', '1,5', '.5', 'NaN'])('names the field when %j is not a decimal', (value) => {
    let err: unknown;
    try {
      decimalField('limit_price', value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidDecimalError);
    expect((err as InvalidDecimalError).code).toBe('INVALID_DECIMAL');
    expect((err as InvalidDecimalError).input).toBe(value);
    expect((err as Error).message).toContain('field limit_price');
    expect((err as Error).message).toContain(JSON.stringify(value));
  });

  test('optionalDecimalField: empty is absent, anything else must parse', () => {
    expect(optionalDecimalField('limit_price', '')).toBeUndefined();
    expect(optionalDecimalField('limit_price', '1.50')!.toString()).toBe('1.5');
    expect(() => optionalDecimalField('reference_price', 'x')).toThrow(/field reference_price/);
  });
});

describe('descriptor set', () => {
  test('descriptorSetPath() points at a non-empty file', () => {
    const path = descriptorSetPath();
    expect(isAbsolute(path)).toBe(true);
    expect(path.endsWith('meridian.binpb')).toBe(true);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).size).toBeGreaterThan(0);
  });

  test('it is a FileDescriptorSet of the meridian.v1 package with every platform service', () => {
    const set = fromBinary(FileDescriptorSetSchema, readFileSync(descriptorSetPath()));
    const ours = set.file.filter((f) => f.package === PROTO_PACKAGE);
    expect(ours.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'meridian/v1/common.proto',
        'meridian/v1/market.proto',
        'meridian/v1/order.proto',
        'meridian/v1/execution.proto',
        'meridian/v1/services.proto',
      ]),
    );
    const services = ours.flatMap((f) => f.service.map((s) => `${f.package}.${s.name}`));
    expect(services).toEqual(
      expect.arrayContaining([
        'meridian.v1.OrderBookService',
        'meridian.v1.RiskService',
        'meridian.v1.ExecutionService',
        'meridian.v1.IngestionService',
      ]),
    );
    // Every import of our files is in the set, so reflection can serve them standalone.
    const names = new Set(set.file.map((f) => f.name));
    for (const f of set.file) for (const dep of f.dependency) expect(names).toContain(dep);
  });

  test('PROTO_PACKAGE is meridian.v1', () => {
    expect(PROTO_PACKAGE).toBe('meridian.v1');
  });
});
