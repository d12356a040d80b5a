import type { Decimal, Side } from '@meridian/domain';

// The public vocabulary of a parent order: what the driver (the execution service or the
// backtester) hands in, and the actions it gets back. Quantities and prices are exact `Decimal`s,
// times are nanoseconds since the epoch as `bigint`, as everywhere on the platform.

export type AlgoKind = 'twap' | 'vwap' | 'iceberg' | 'pov';

/**
 * How the children of a schedule (TWAP, VWAP) are priced:
 * - `aggressive`: immediate-or-cancel, a market order, or a limit order at the parent's limit price;
 * - `passive`: good-till-cancel at the near touch (best bid for a buy, best ask for a sell), never
 *   beyond the limit price; a child still working when its slice ends is cancelled and what it did
 *   not fill goes into the next slice. The final slice is always aggressive.
 */
export type ChildStyle = 'aggressive' | 'passive';

export interface TwapParams {
  readonly kind: 'twap';
  /** Number of equal slices of [startNs, endNs]. Exactly one of `slices` and `sliceIntervalNs`. */
  readonly slices?: number;
  /** Length of each slice; the last one ends at `endNs` and may be shorter. */
  readonly sliceIntervalNs?: bigint;
  /** A uint32: when set (and not 0), each inner slice boundary moves by a seeded random offset. */
  readonly seed?: number;
  /**
   * With `seed`: how far a boundary may move, as a fraction in (0, 1) of half the shorter of its
   * two slices (default 0.5). Below 1, boundaries stay in order and every slice keeps some length.
   */
  readonly jitter?: Decimal;
  /** Default `aggressive`. */
  readonly style?: ChildStyle;
}

export interface VwapParams {
  readonly kind: 'vwap';
  /**
   * Fraction of the volume in each of `profile.length` equal buckets of [startNs, endNs]; each
   * fraction >= 0 and the sum exactly 1 (`buildVolumeProfile` makes one from historical bars).
   */
  readonly profile: readonly Decimal[];
  /** Default `aggressive`. */
  readonly style?: ChildStyle;
}

export interface IcebergParams {
  readonly kind: 'iceberg';
  /** The quantity shown at a time, a whole number of lots. The parent's limit price is required. */
  readonly displayQuantity: Decimal;
  /** Fraction in [0, 1): each refresh shows a seeded random size within ±variance of `displayQuantity`. */
  readonly displayVariance?: Decimal;
  /** A uint32 for the display-size variance (default 0). */
  readonly seed?: number;
}

export interface PovParams {
  readonly kind: 'pov';
  /** Fraction in (0, 1] of the market volume reported by `onMarket` since `startNs`. */
  readonly rate: Decimal;
  /** Smallest child (default one lot): the algorithm waits until it is this far behind. */
  readonly minChildQuantity?: Decimal;
  /** Largest child (default: no limit). */
  readonly maxChildQuantity?: Decimal;
}

export type AlgoParams = TwapParams | VwapParams | IcebergParams | PovParams;

/** A parent order as the driver submits it; `ParentOrder.create` validates every field. */
export interface ParentOrderSpec {
  /** Children are `<id>-<n>`, n = 1, 2, ...: letters, digits, `-` and `_`, at most 64 characters. */
  readonly id: string;
  readonly symbol: string;
  readonly side: Side;
  /** Total quantity, a positive whole number of lots. */
  readonly quantity: Decimal;
  /** No child buys above (sells below) it. Required by the iceberg. */
  readonly limitPrice?: Decimal;
  readonly startNs: bigint;
  /** Required by TWAP and VWAP; an iceberg or POV without one works until filled or cancelled. */
  readonly endNs?: bigint;
  /** The instrument's trading grid: children are whole lots, limit prices whole ticks. */
  readonly lotSize: Decimal;
  readonly tickSize: Decimal;
  readonly algo: AlgoParams;
  /** After this many children in a row are rejected the parent fails (default 3). */
  readonly maxChildRejects?: number;
  /**
   * How long to wait before sending again after a child ended without filling all of it (an
   * immediate-or-cancel remainder, a rejection), default 1 s; slice boundaries do not wait.
   */
  readonly retryIntervalNs?: bigint;
}

export type ChildOrderType = 'limit' | 'market';
export type ChildTimeInForce = 'GTC' | 'IOC';

/** A child order: what the driver sends through the normal order path (and so through risk). */
export interface ChildOrder {
  /** `<parentId>-<seq>`. */
  readonly clientOrderId: string;
  readonly parentId: string;
  readonly seq: number;
  readonly symbol: string;
  readonly side: Side;
  readonly quantity: Decimal;
  readonly type: ChildOrderType;
  /** Set for limit orders. */
  readonly limitPrice: Decimal | undefined;
  readonly timeInForce: ChildTimeInForce;
  readonly submittedNs: bigint;
}

/** Why a parent ended well: see the README for each. */
export type FinishReason = 'completed' | 'cancelled' | 'expired' | 'expired_at_limit_price';
/** Why a parent ended badly. */
export type FailReason = 'child_rejected';

export type AlgoAction =
  | { readonly type: 'submit'; readonly child: ChildOrder }
  | { readonly type: 'cancel'; readonly clientOrderId: string }
  | { readonly type: 'finished'; readonly reason: FinishReason; readonly filled: Decimal; readonly detail: string }
  | { readonly type: 'failed'; readonly reason: FailReason; readonly filled: Decimal; readonly detail: string };

/** What the market did: any subset of the touch and the last trade. */
export interface MarketUpdate {
  readonly nowNs: bigint;
  readonly bid?: Decimal;
  readonly ask?: Decimal;
  readonly tradePrice?: Decimal;
  /** Volume traded by the market since the previous update (POV counts it from `startNs`). */
  readonly tradeVolume?: Decimal;
}

export type ChildUpdateKind = 'ack' | 'fill' | 'cancel' | 'reject';

/** One execution report of a child. */
export interface ChildUpdate {
  readonly clientOrderId: string;
  readonly kind: ChildUpdateKind;
  /** Fills: this fill's quantity and price. */
  readonly fillQuantity?: Decimal;
  readonly fillPrice?: Decimal;
  /** Fills: the venue's trade id; a fill whose id was already applied is ignored (a redelivery). */
  readonly tradeId?: string;
  /** Cancels and rejects: the venue's or risk's reason. */
  readonly reason?: string;
  readonly nowNs: bigint;
}

export type ParentStatus = 'pending' | 'working' | 'closing' | 'done';
/** Why a parent is closing: its cancel, its end time, or too many rejected children. */
export type CloseCause = 'cancel' | 'end' | 'rejects';

export type ChildState = 'pending' | 'working' | 'done';

export interface ChildSnapshot {
  readonly order: ChildOrder;
  /** `pending` until the venue's ack (or first fill); `done` once filled, cancelled or rejected. */
  readonly state: ChildState;
  readonly filled: Decimal;
  readonly filledNotional: Decimal;
  /** The parent asked the venue to cancel it and the answer has not come yet. */
  readonly cancelPending: boolean;
  readonly endedAs: 'filled' | 'cancelled' | 'rejected' | undefined;
  readonly reason: string | undefined;
}

export interface SliceSnapshot {
  /** 0-based index of the current slice (or bucket). */
  readonly index: number;
  readonly count: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
}

export type ParentOutcome =
  | { readonly type: 'finished'; readonly reason: FinishReason; readonly detail: string }
  | { readonly type: 'failed'; readonly reason: FailReason; readonly detail: string };

/** Everything a parent knows, exact; equal for a parent and its restored copy. */
export interface ParentSnapshot {
  readonly id: string;
  readonly kind: AlgoKind;
  readonly symbol: string;
  readonly side: Side;
  readonly status: ParentStatus;
  readonly closeCause: CloseCause | undefined;
  readonly quantity: Decimal;
  readonly filled: Decimal;
  /** quantity - filled. */
  readonly remaining: Decimal;
  /** What live children can still fill. */
  readonly working: Decimal;
  readonly filledNotional: Decimal;
  /** filledNotional / filled rounded to 12 digits; undefined before the first fill. */
  readonly averagePrice: Decimal | undefined;
  /** The cumulative quantity the algorithm aims to have filled by now. */
  readonly target: Decimal;
  /** The schedule's position (TWAP, VWAP); undefined for iceberg and POV or outside the window. */
  readonly slice: SliceSnapshot | undefined;
  /** Market volume reported since the start. */
  readonly marketVolume: Decimal;
  readonly bid: Decimal | undefined;
  readonly ask: Decimal | undefined;
  readonly children: readonly ChildSnapshot[];
  readonly nextChildSeq: number;
  readonly cancelRequestedNs: bigint | undefined;
  readonly outcome: ParentOutcome | undefined;
  /** The latest time seen. */
  readonly nowNs: bigint;
}

/** The few numbers a driver samples often (metrics, adherence), without copying the children. */
export interface ParentProgress {
  readonly status: ParentStatus;
  readonly filled: Decimal;
  readonly working: Decimal;
  readonly target: Decimal;
  readonly marketVolume: Decimal;
  readonly nowNs: bigint;
}

/**
 * What a restarted driver knows about a parent: every child it submitted (in order) and every
 * execution report of those children (in order), plus what is not a child event.
 */
export interface RestoreInput {
  readonly children: readonly ChildOrder[];
  readonly updates: readonly ChildUpdate[];
  /** Set when the parent's cancel had been requested. */
  readonly cancelRequestedNs?: bigint;
  /** Children whose cancel the parent had asked for (its `cancel` actions) with no answer yet. */
  readonly pendingCancels?: readonly string[];
  /** POV: market volume observed since the start (from the trades stream or bars). Default 0. */
  readonly marketVolume?: Decimal;
  /** The last touch, for passive children. */
  readonly bid?: Decimal;
  readonly ask?: Decimal;
  readonly nowNs: bigint;
}
