import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import * as wire from '@meridian/proto';
import type { MessageCodec } from '@meridian/proto';
import { anyText, numberText } from '../arbitraries';
import { Refused, target } from '../target';
import { decodedKey } from './invariants';

/** Messages that travel on the bus (every stream's payload). */
const BUS_MESSAGES: Record<string, MessageCodec<unknown>> = {
  Trade: wire.Trade,
  TradeBatch: wire.TradeBatch,
  BookUpdate: wire.BookUpdate,
  BookUpdateBatch: wire.BookUpdateBatch,
  BookSnapshot: wire.BookSnapshot,
  Bbo: wire.Bbo,
  Bar: wire.Bar,
  Signal: wire.Signal,
  OrderIntent: wire.OrderIntent,
  ApprovedOrder: wire.ApprovedOrder,
  OrderRejection: wire.OrderRejection,
  ExecutionReport: wire.ExecutionReport,
  KillSwitch: wire.KillSwitch,
  RiskLimitsChange: wire.RiskLimitsChange,
} as Record<string, MessageCodec<unknown>>;

/** Requests the services' gRPC servers decode. */
const GRPC_REQUESTS: Record<string, MessageCodec<unknown>> = {
  CheckOrderRequest: wire.CheckOrderRequest,
  GetPositionsRequest: wire.GetPositionsRequest,
  SetKillSwitchRequest: wire.SetKillSwitchRequest,
  GetLimitsRequest: wire.GetLimitsRequest,
  UpdateLimitsRequest: wire.UpdateLimitsRequest,
  GetRiskSnapshotRequest: wire.GetRiskSnapshotRequest,
  GetBookRequest: wire.GetBookRequest,
  StreamBookRequest: wire.StreamBookRequest,
  GetBarsRequest: wire.GetBarsRequest,
  GetRecorderStatusRequest: wire.GetRecorderStatusRequest,
  GetOrderRequest: wire.GetOrderRequest,
  ListOrdersRequest: wire.ListOrdersRequest,
  PredictRequest: wire.PredictRequest,
  GetStrategyStateRequest: wire.GetStrategyStateRequest,
  GetFeedStatusRequest: wire.GetFeedStatusRequest,
} as Record<string, MessageCodec<unknown>>;

// ---- Protobuf wire, written by hand so that any field number, wire type and payload can be sent.

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(70, n);
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return out;
}

type WireField =
  | { readonly wt: 0; readonly no: number; readonly value: bigint; readonly overlong: number }
  | { readonly wt: 1 | 5; readonly no: number; readonly bytes: Uint8Array }
  | { readonly wt: 2; readonly no: number; readonly payload: Uint8Array; readonly lie: number }
  | { readonly wt: 3 | 4 | 6 | 7; readonly no: number };

function encodeFields(fields: readonly WireField[]): Uint8Array {
  const out: number[] = [];
  for (const f of fields) {
    out.push(...varint(BigInt(f.no) * 8n + BigInt(f.wt)));
    if (f.wt === 0) {
      const bytes = varint(f.value);
      // An overlong varint: continuation bits on zero bytes (valid up to 10 bytes, then not).
      for (let i = 0; i < f.overlong; i++) {
        bytes[bytes.length - 1] = bytes[bytes.length - 1]! | 0x80;
        bytes.push(0);
      }
      out.push(...bytes);
    } else if (f.wt === 1 || f.wt === 5) {
      out.push(...f.bytes);
    } else if (f.wt === 2) {
      out.push(...varint(BigInt(Math.max(0, f.payload.length + f.lie))), ...f.payload);
    }
  }
  return Uint8Array.from(out);
}

const fieldNo = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 16 }) }, { weight: 1, arbitrary: fc.constantFrom(0, 19_000, 536_870_911, 2 ** 29) });
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

const payload: fc.Arbitrary<Uint8Array> = fc.letrec<{ payload: Uint8Array; message: Uint8Array }>((tie) => ({
  payload: fc.oneof(
    { weight: 3, arbitrary: fc.oneof(numberText, anyText, fc.constantFrom('BUY', 'BTC-USDT', 'okx', '1m', '{"global":{}}')).map(utf8) },
    { weight: 2, arbitrary: fc.uint8Array({ maxLength: 24 }) },
    { weight: 2, arbitrary: tie('message') },
    { weight: 1, arbitrary: fc.constantFrom(Uint8Array.from([0xff, 0xfe]), Uint8Array.from([0xc0, 0x80]), Uint8Array.from([0xed, 0xa0, 0x80])) },
  ),
  message: fc
    .array(
      fc.oneof(
        fc.record({ wt: fc.constant(0 as const), no: fieldNo, value: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n + 5n }), fc.constantFrom(0n, 1n, 2n, 3n, 2n ** 63n, 2n ** 64n - 1n, 2n ** 32n)), overlong: fc.constantFrom(0, 0, 0, 1, 12) }),
        fc.record({ wt: fc.constantFrom(1 as const, 5 as const), no: fieldNo, bytes: fc.uint8Array({ minLength: 4, maxLength: 8 }) }),
        fc.record({ wt: fc.constant(2 as const), no: fieldNo, payload: tie('payload'), lie: fc.constantFrom(0, 0, 0, 0, -1, 1, 1_000_000) }),
        fc.record({ wt: fc.constantFrom(3 as const, 4 as const, 6 as const, 7 as const), no: fieldNo }),
      ) as fc.Arbitrary<WireField>,
      { maxLength: 6, depthIdentifier: 'message' },
    )
    .map(encodeFields),
})).payload;

/** `n` length-delimited field 1s, each inside the previous one. */
function nested(n: number): Uint8Array {
  let m = new Uint8Array(0);
  for (let i = 0; i < n; i++) m = Uint8Array.from([0x0a, ...varint(BigInt(m.length)), ...m]);
  return m;
}

export const protoBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 5, arbitrary: payload },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  // Deeply nested groups and length-delimited messages: recursion in the reader.
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 5_000 }).map((n) => new Uint8Array(n).fill(0x0b)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }).map(nested) },
);

/** A wire error's kind, with the numbers that vary (offsets, tags) taken out so that the tally groups them. */
function wireKind(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `wire ${text.replace(/\d+/g, 'N').slice(0, 60)}`;
}

/** What a consumer does next with a decoded message: the conversions to domain values (libs/proto convert.ts). */
function consume(name: string, message: unknown): void {
  if (name === 'OrderIntent' || name === 'ApprovedOrder' || name === 'OrderRejection' || name === 'CheckOrderRequest') {
    const i = (name === 'OrderIntent' ? message : (message as { intent?: wire.OrderIntent }).intent) as wire.OrderIntent | undefined;
    if (i === undefined) return;
    wire.sideFromWire(i.side);
    wire.decimalField('quantity', i.quantity);
    wire.optionalDecimalField('limit_price', i.limitPrice);
    wire.optionalDecimalField('reference_price', i.referencePrice);
  } else if (name === 'ExecutionReport') {
    wire.fillOf(message as wire.ExecutionReport);
  }
}

function protoTarget(name: string, calls: string, codecs: Record<string, MessageCodec<unknown>>, weight: number) {
  const names = Object.keys(codecs);
  return target<{ message: string; bytes: Uint8Array }>({
    name,
    calls,
    weight,
    ciRuns: 300,
    codes: ['INVALID_SIDE', 'INVALID_DECIMAL'],
    arbitrary: fc.record({ message: fc.constantFrom(...names), bytes: protoBytes }),
    run({ message, bytes: data }) {
      const codec = codecs[message]!;
      let decoded: unknown;
      try {
        decoded = codec.decode(data);
      } catch (err) {
        // The bus terminates and counts an undecodable message (reason `decode`); gRPC answers with a status.
        throw new Refused(wireKind(err));
      }
      // Decoding is stable: what a service re-publishes (an approved order carries its intent) reads back the same.
      const again = codec.decode(codec.encode(decoded).finish());
      const a = decodedKey(decoded);
      const b = decodedKey(again);
      if (a !== b) return `${message} does not survive re-encoding: ${a.slice(0, 120)} then ${b.slice(0, 120)}`;
      consume(message, decoded);
      return undefined;
    },
  });
}

/** ts-proto's generated `decode` of every bus message, then the conversions consumers apply. */
export const protoBusMessages = protoTarget('proto.bus-messages', 'libs/proto generated decode (14 bus messages) + sideFromWire/decimalField/fillOf', BUS_MESSAGES, 60);

/** ts-proto's generated `decode` of every gRPC request the services serve. */
export const protoGrpcRequests = protoTarget('proto.grpc-requests', 'libs/proto generated decode (15 gRPC requests)', GRPC_REQUESTS, 40);

type HelperInput = { helper: 'decimalField' | 'optionalDecimalField'; value: string } | { helper: 'sideFromWire'; side: number } | { helper: 'fillOf'; report: wire.ExecutionReport };

/** The conversions from wire values to domain values (libs/proto convert.ts), called directly. */
export const protoFieldHelpers = target<HelperInput>({
  name: 'proto.field-helpers',
  calls: 'libs/proto decimalField, optionalDecimalField, sideFromWire, fillOf',
  weight: 40,
  ciRuns: 300,
  codes: ['INVALID_SIDE', 'INVALID_DECIMAL'],
  arbitrary: fc.oneof(
    fc.record({ helper: fc.constantFrom('decimalField' as const, 'optionalDecimalField' as const), value: numberText }),
    fc.record({ helper: fc.constant('sideFromWire' as const), side: fc.oneof(fc.integer({ min: -2, max: 4 }), fc.integer()) }),
    fc
      .record({ kind: fc.integer({ min: -1, max: 6 }), side: fc.integer({ min: -1, max: 3 }), fillQuantity: numberText, fillPrice: numberText, fee: fc.oneof(fc.constant(''), numberText) })
      .map(({ kind, ...rest }) => ({ helper: 'fillOf' as const, report: wire.ExecutionReport.fromPartial({ ...rest, kind }) })),
  ),
  run(input) {
    if (input.helper === 'sideFromWire') {
      const side = wire.sideFromWire(input.side);
      return (side === 'BUY' && input.side === wire.Side.SIDE_BUY) || (side === 'SELL' && input.side === wire.Side.SIDE_SELL) ? undefined : `wire side ${input.side} read as ${side}`;
    }
    if (input.helper === 'fillOf') {
      const fill = wire.fillOf(input.report);
      if (fill === undefined) return input.report.kind === wire.ExecutionKind.EXECUTION_KIND_FILL ? 'a fill read as no fill' : undefined;
      if (input.report.kind !== wire.ExecutionKind.EXECUTION_KIND_FILL) return `kind ${input.report.kind} read as a fill`;
      return fill.quantity.eq(Decimal.parse(input.report.fillQuantity)) && fill.price.eq(Decimal.parse(input.report.fillPrice)) ? undefined : 'fill values differ from the report';
    }
    const d = input.helper === 'decimalField' ? wire.decimalField('quantity', input.value) : wire.optionalDecimalField('limit_price', input.value);
    if (d === undefined) return input.value === '' ? undefined : `${JSON.stringify(input.value)} read as absent`;
    return d.eq(Decimal.parse(input.value)) ? undefined : `${JSON.stringify(input.value)} read as ${d}`;
  },
});
