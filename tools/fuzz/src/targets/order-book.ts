import fc from 'fast-check';
import { Decimal } from '@meridian/domain';
import { BookUpdateBatch } from '@meridian/proto';
import type { BookUpdate } from '@meridian/proto';
import { BookKeeper } from '@meridian/order-book/dist/book-keeper';
import { BookRegistry, requestedDepth } from '@meridian/order-book/dist/book-registry';
import { MAX_DEPTH } from '@meridian/order-book/dist/config';
import { anyText, numberText } from '../arbitraries';
import { target } from '../target';
import { levelsProblem } from './invariants';

const VENUES = ['sim', 'okx'];
const SYMBOLS = ['BTC-USDT', 'ETH-USDT'];
const keepers = VENUES.flatMap((v) => SYMBOLS.map((s) => new BookKeeper(v, s)));
const registry = new BookRegistry(keepers, VENUES, SYMBOLS);

/** `requestedDepth` and `BookRegistry.find` (services/order-book): what GetBook and StreamBook validate before answering. */
export const getBookRequest = target<{ venue: string; symbol: string; depth: number }>({
  name: 'order-book.get-book-request',
  calls: 'services/order-book requestedDepth + BookRegistry.find',
  weight: 30,
  ciRuns: 200,
  codes: ['ORDER_BOOK_INVALID_REQUEST', 'ORDER_BOOK_NOT_IN_SHARD'],
  arbitrary: fc.record({
    venue: fc.oneof(fc.constantFrom('', 'sim', 'okx', ' OKX ', 'binance', 'Sim'), anyText),
    symbol: fc.oneof(fc.constantFrom('BTC-USDT', 'btc/usdt', 'eth.usdt', ' BTC-USDT ', '', ' ', 'toString', '__proto__', 'BTC-USDT\u0000'), anyText),
    depth: fc.oneof(fc.integer({ min: 0, max: 1_200 }), fc.constantFrom(0, 1, MAX_DEPTH, MAX_DEPTH + 1, 2 ** 32 - 1)),
  }),
  run({ venue, symbol, depth }) {
    const levels = requestedDepth(depth);
    if (!(Number.isInteger(levels) && levels >= 1 && levels <= MAX_DEPTH)) return `depth ${depth} answered with ${levels} levels`;
    const keeper = registry.find(venue, symbol);
    if (!keepers.includes(keeper)) return `${venue}/${symbol} found a book the shard does not keep`;
    const view = keeper.view(levels);
    return view.bids.length <= levels && view.asks.length <= levels ? undefined : 'view deeper than asked';
  },
});

const wirePrice = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 990, max: 1_010 }).map((n) => Decimal.fromUnits(BigInt(n), 0).toString()) }, { weight: 1, arbitrary: numberText });
const wireSize = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 9 }).map(String) }, { weight: 2, arbitrary: fc.constant('0') }, { weight: 1, arbitrary: numberText });
const wireLevel = fc.record({ price: wirePrice, size: wireSize });

interface UpdateSpec {
  readonly snapshot: boolean;
  /** The seq step from the previous update: 1 continues, anything else is a gap, a repeat or a step back. */
  readonly step: bigint;
  readonly bids: { price: string; size: string }[];
  readonly asks: { price: string; size: string }[];
}

const update: fc.Arbitrary<UpdateSpec> = fc.record({
  snapshot: fc.boolean(),
  step: fc.oneof({ weight: 6, arbitrary: fc.constant(1n) }, { weight: 1, arbitrary: fc.bigInt({ min: -3n, max: 3n }) }, { weight: 1, arbitrary: fc.constantFrom(2n ** 63n, -(2n ** 63n)) }),
  bids: fc.array(wireLevel, { maxLength: 5 }),
  asks: fc.array(wireLevel, { maxLength: 5 }),
});

/**
 * `BookKeeper.applyBatch` (services/order-book): every `md.<venue>.<symbol>.book` message folded
 * into the book. It answers with an outcome per update, never throws; a synced book is sorted,
 * uncrossed and holds positive sizes; a pending checkpoint restores into an equal book.
 */
export const bookKeeperTarget = target<{ batches: { updates: UpdateSpec[] }[] }>({
  name: 'order-book.book-keeper',
  calls: 'services/order-book BookKeeper.applyBatch (BookUpdateBatch messages)',
  weight: 20,
  ciRuns: 200,
  codes: [],
  arbitrary: fc.record({ batches: fc.array(fc.record({ updates: fc.array(update, { maxLength: 4 }) }), { maxLength: 12 }) }),
  run({ batches }) {
    const keeper = new BookKeeper('sim', 'BTC-USDT');
    let seq = 0n;
    let streamSeq = 0;
    for (let b = 0; b < batches.length; b++) {
      const updates: BookUpdate[] = batches[b]!.updates.map((u) => {
        seq = BigInt.asIntN(64, seq + u.step);
        return { venue: 'sim', symbol: 'BTC-USDT', seq, snapshot: u.snapshot, bids: u.bids, asks: u.asks, tsNs: 1n, receivedTsNs: 2n };
      });
      const outcome = keeper.applyBatch(BookUpdateBatch.fromPartial({ updates }), ++streamSeq);
      if (outcome.updates.length !== updates.length) return `batch ${b}: ${outcome.updates.length} outcomes for ${updates.length} updates`;
      if (!keeper.synced) continue;
      const view = keeper.view(1_000);
      const bids = view.bids.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) }));
      const asks = view.asks.map((l) => ({ price: Decimal.parse(l.price), size: Decimal.parse(l.size) }));
      const problem = levelsProblem(bids, 'bids', 'positive') ?? levelsProblem(asks, 'asks', 'positive');
      if (problem !== undefined) return `batch ${b}: ${problem}`;
      for (let i = 1; i < bids.length; i++) if (!bids[i]!.price.lt(bids[i - 1]!.price)) return `batch ${b}: bids not descending`;
      for (let i = 1; i < asks.length; i++) if (!asks[i]!.price.gt(asks[i - 1]!.price)) return `batch ${b}: asks not ascending`;
      if (bids[0] && asks[0] && bids[0].price.gte(asks[0].price)) return `batch ${b}: synced book crossed at ${bids[0].price} / ${asks[0].price}`;
      const checkpoint = keeper.pendingCheckpoint();
      if (checkpoint !== undefined) {
        const restored = new BookKeeper('sim', 'BTC-USDT');
        const r = restored.restore(checkpoint);
        if (!r.ok) return `batch ${b}: its own checkpoint does not restore: ${r.detail}`;
        const a = JSON.stringify(restored.view(1_000), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        const c = JSON.stringify({ ...view, tsNs: checkpoint.tsNs }, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
        if (a !== c) return `batch ${b}: restored checkpoint differs`;
        keeper.checkpointed(checkpoint);
      }
    }
    return undefined;
  },
});
