import type { IntentRequest, MarketEvent, OrderUpdate, Strategy, StrategyContext } from '../src';

/** A test strategy: at the n-th event it sees (0-based) it sends the intents (or cancels) it was given; it records every update. */
export class ScriptStrategy implements Strategy {
  readonly params = {};
  readonly updates: OrderUpdate[] = [];
  readonly ids: string[] = [];
  private seen = 0;

  constructor(
    readonly id: string,
    private readonly script: Map<number, (IntentRequest | { cancel: number })[]>,
  ) {}

  onEvent(_e: MarketEvent, ctx: StrategyContext): void {
    for (const step of this.script.get(this.seen++) ?? []) {
      if ('cancel' in step) ctx.cancel(this.ids[step.cancel]!);
      else this.ids.push(ctx.submit(step));
    }
  }

  onOrder(u: OrderUpdate): void {
    this.updates.push(u);
  }
}
