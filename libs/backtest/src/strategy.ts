import type { Decimal, Side } from '@meridian/domain';
import type { FailReason, FinishReason, ParentOrderSpec } from '@meridian/exec-algos';
import type { MarketEvent } from './events';

/** An order a strategy asks for; risk decides, execution sends it. */
export interface IntentRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'market' | 'limit' | 'stop' | 'stop_limit';
  readonly quantity: Decimal;
  readonly limitPrice?: Decimal;
  readonly stopPrice?: Decimal;
  /** Default: IOC for market and stop orders, GTC otherwise (as execution reads an intent). */
  readonly timeInForce?: 'GTC' | 'IOC' | 'FOK' | 'DAY';
  /** The price the strategy sized the order at (a market order's notional for risk). */
  readonly referencePrice?: Decimal;
  readonly postOnly?: boolean;
}

/**
 * A parent order of an execution algorithm (`@meridian/exec-algos`), as the live SubmitOrder asks
 * for one: the intent's symbol, side, quantity and limit price with its `ExecutionAlgo` (the
 * algorithm's parameters and window). The engine fills in the id (`<strategy>-<n>`) and the
 * instrument's grid; `startNs` defaults to now (live: a start of 0 is the creation time).
 * `maxChildRejects` and `retryIntervalNs` default as exec-algos' (the live wire does not carry them).
 */
export type ParentRequest = Omit<ParentOrderSpec, 'id' | 'lotSize' | 'tickSize' | 'startNs'> & { readonly startNs?: bigint };

/** What a strategy can do while it handles an event. */
export interface StrategyContext {
  /** Event time, ns and ms. */
  readonly nowNs: bigint;
  readonly nowMs: number;
  /** Sends an intent (stamped with the strategy's id and now); returns its client order id. Risk decides once the handler returns. */
  submit(intent: IntentRequest): string;
  /**
   * Starts an execution algorithm's parent order (validated as exec-algos validates it); returns its
   * id. Its children are intents `<id>-<n>`, each through risk, the guard, the latency and the venue.
   */
  submitParent(request: ParentRequest): string;
  /**
   * Asks the venue to cancel one of the strategy's orders (after the order latency); with a parent's
   * id, cancels the parent (its working child is cancelled, then it ends), as execution's CancelOrder does.
   */
  cancel(clientOrderId: string): void;
}

/**
 * What happened to an order, as the execution reports and risk's rejections tell the live
 * services. Every strategy sees every order's updates (a live strategy follows the streams of its
 * symbols, whoever sent the order); `strategy` says whose it was.
 */
export type OrderUpdate =
  | { readonly kind: 'risk_rejected'; readonly clientOrderId: string; readonly strategy: string; readonly symbol: string; readonly reason: string; readonly detail: string }
  | { readonly kind: 'ack'; readonly clientOrderId: string; readonly strategy: string; readonly symbol: string }
  | {
      readonly kind: 'fill';
      readonly clientOrderId: string;
      readonly strategy: string;
      readonly symbol: string;
      readonly side: Side;
      readonly quantity: Decimal;
      readonly price: Decimal;
      readonly fee: Decimal;
      readonly liquidity: 'maker' | 'taker';
    }
  | { readonly kind: 'ended'; readonly clientOrderId: string; readonly strategy: string; readonly symbol: string; readonly state: 'cancelled' | 'rejected' | 'expired'; readonly reason: string }
  | {
      /** A parent order ended (its children's own updates came before); `clientOrderId` is the parent's id. */
      readonly kind: 'parent_finished';
      readonly clientOrderId: string;
      readonly strategy: string;
      readonly symbol: string;
      readonly outcome: 'finished' | 'failed';
      readonly reason: FinishReason | FailReason;
      readonly filled: Decimal;
      readonly detail: string;
    };

/**
 * A strategy the engine drives. Handlers run in event time, one at a time; `onEvent` may return a
 * promise (a model served by onnxruntime), which the engine awaits before the next event.
 */
export interface Strategy {
  /** Stamped on its intents (the coordinator's STRATEGY_ID); unique within a run. */
  readonly id: string;
  /** Its parameters, for the result (what a search varies). */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  onEvent(event: MarketEvent, ctx: StrategyContext): void | Promise<void>;
  onOrder?(update: OrderUpdate, ctx: StrategyContext): void;
  /** After the last event (open positions stay open: the result values them at the last marks). */
  onEnd?(ctx: StrategyContext): void | Promise<void>;
}
