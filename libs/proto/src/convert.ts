import { Decimal, InvalidDecimalError, InvalidSideError } from '@meridian/domain';
import type { Side as DomainSide } from '@meridian/domain';
import { Side } from './gen/meridian/v1/common';
import { ExecutionKind } from './gen/meridian/v1/execution';
import type { ExecutionReport } from './gen/meridian/v1/execution';
import type { Bar } from './gen/meridian/v1/market';

/** Domain side of a wire side; SIDE_UNSPECIFIED and unknown values are refused. */
export function sideFromWire(side: Side): DomainSide {
  if (side === Side.SIDE_BUY) return 'BUY';
  if (side === Side.SIDE_SELL) return 'SELL';
  throw new InvalidSideError(side);
}

export function sideToWire(side: DomainSide): Side {
  return side === 'BUY' ? Side.SIDE_BUY : Side.SIDE_SELL;
}

/** Parses a decimal string field, naming the field when it is not one. */
export function decimalField(field: string, value: string): Decimal {
  try {
    return Decimal.parse(value);
  } catch {
    throw new InvalidDecimalError(value, `field ${field} must be a decimal string`);
  }
}

/** Like decimalField, but an empty string means absent. */
export function optionalDecimalField(field: string, value: string): Decimal | undefined {
  return value === '' ? undefined : decimalField(field, value);
}

/** The fill an execution report carries, in domain terms, or undefined for other kinds. */
export function fillOf(report: ExecutionReport): { side: DomainSide; quantity: Decimal; price: Decimal; fee: Decimal } | undefined {
  if (report.kind !== ExecutionKind.EXECUTION_KIND_FILL) return undefined;
  return {
    side: sideFromWire(report.side),
    quantity: decimalField('fill_quantity', report.fillQuantity),
    price: decimalField('fill_price', report.fillPrice),
    fee: report.fee === '' ? Decimal.ZERO : decimalField('fee', report.fee),
  };
}

/** True when the report ends the order without (further) fills: a cancel, a reject or an expiry. */
export function endsOrder(report: ExecutionReport): boolean {
  return (
    report.kind === ExecutionKind.EXECUTION_KIND_CANCEL ||
    report.kind === ExecutionKind.EXECUTION_KIND_REJECT ||
    report.kind === ExecutionKind.EXECUTION_KIND_EXPIRE
  );
}

/** An exact bar of one series, as the bar aggregators build it and the history store keeps it. */
export interface ExactBarOf {
  readonly venue: string;
  readonly symbol: string;
  readonly interval: string;
  readonly startTsNs: bigint;
  readonly endTsNs: bigint;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly notional: Decimal;
  readonly tradeCount: number;
  readonly revision: number;
}

/** The wire `Bar` of an exact bar (decimals as their exact strings). */
export function barToWire(b: ExactBarOf): Bar {
  return {
    venue: b.venue,
    symbol: b.symbol,
    interval: b.interval,
    startTsNs: b.startTsNs,
    endTsNs: b.endTsNs,
    open: b.open.toString(),
    high: b.high.toString(),
    low: b.low.toString(),
    close: b.close.toString(),
    volume: b.volume.toString(),
    notional: b.notional.toString(),
    tradeCount: BigInt(b.tradeCount),
    revision: b.revision,
  };
}
