import type { Decimal } from '@meridian/domain';

/** One price level: the total size resting at `price`. */
export interface Level {
  readonly price: Decimal;
  readonly size: Decimal;
}

export type BookSide = 'bid' | 'ask';

export type ApplyFailureReason = 'gap' | 'stale' | 'not_synced' | 'crossed' | 'invalid_level';

export type ApplyResult = { ok: true } | { ok: false; reason: ApplyFailureReason; detail: string };
