import { SimInvariantError } from './errors';
import type { QueueModel } from './types';

/** One order in a price level's queue, front first: mirrored (house) liquidity or one of our orders. */
export interface QueueEntry {
  readonly id: number;
  readonly lots: number;
  readonly house: boolean;
}

/** Take `lots` off the house order `id` (all of it means cancel it). */
export interface QueueCut {
  readonly id: number;
  readonly lots: number;
}

/**
 * Where a level's mirrored liquidity shrank by `lots` without a trade (cancellations in the external
 * market), given the level's queue. The house orders of the queue form segments separated by our
 * orders: the one ahead of our first order, those between our orders, the one behind our last.
 *
 * - `back`: the cut is taken from the back of the queue first (optimistic: cancellations come from
 *   behind us, our place does not improve);
 * - `front`: from the front first (pessimistic for the liquidity ahead, i.e. our place improves the
 *   most: the external market cancelled the orders ahead of ours);
 * - `pro_rata`: each segment loses its share of the cut in proportion to its size. Segment by
 *   segment, the share of what is left is `cut × segment / house left` lots; a fractional share is
 *   rounded up with probability equal to its fraction (the venue's seeded RNG), down otherwise, so
 *   the expected cut of every segment is exactly proportional and the shares always add up to `lots`.
 *
 * Within a segment the cut comes off its back orders first (the segment's position is all that
 * matters to our orders, and fewer house orders stay in the engine). Pure: the caller applies the cuts.
 */
export function planReduction(queue: readonly QueueEntry[], lots: number, model: QueueModel, random: () => number): QueueCut[] {
  const segments: QueueEntry[][] = [];
  let current: QueueEntry[] | undefined;
  let houseTotal = 0;
  for (const entry of queue) {
    if (!entry.house) {
      current = undefined;
      continue;
    }
    if (current === undefined) {
      current = [];
      segments.push(current);
    }
    current.push(entry);
    houseTotal += entry.lots;
  }
  if (!Number.isSafeInteger(lots) || lots < 0 || lots > houseTotal) {
    throw new SimInvariantError(`a level holding ${houseTotal} lots of mirrored liquidity cannot shrink by ${lots}`);
  }
  const cuts: QueueCut[] = [];
  if (lots === 0) return cuts;
  const cutFromBack = (segment: readonly QueueEntry[], amount: number): void => {
    for (let i = segment.length - 1; i >= 0 && amount > 0; i--) {
      const take = Math.min(amount, segment[i]!.lots);
      cuts.push({ id: segment[i]!.id, lots: take });
      amount -= take;
    }
  };
  const size = (segment: readonly QueueEntry[]): number => segment.reduce((sum, e) => sum + e.lots, 0);
  if (model === 'back' || model === 'front') {
    let left = lots;
    const ordered = model === 'back' ? [...segments].reverse() : segments;
    for (const segment of ordered) {
      if (left === 0) break;
      const take = Math.min(left, size(segment));
      cutFromBack(segment, take);
      left -= take;
    }
    return cuts;
  }
  let left = BigInt(lots);
  let houseLeft = BigInt(houseTotal);
  for (let s = 0; s < segments.length; s++) {
    const segmentLots = BigInt(size(segments[s]!));
    let take: bigint;
    if (s === segments.length - 1) {
      take = left;
    } else {
      // Exact integer share; BigInt because cut × segment can pass 2^53.
      const numerator = left * segmentLots;
      take = numerator / houseLeft;
      const remainder = numerator % houseLeft;
      if (remainder !== 0n && random() < Number(remainder) / Number(houseLeft)) take += 1n;
    }
    cutFromBack(segments[s]!, Number(take));
    left -= take;
    houseLeft -= segmentLots;
  }
  return cuts;
}
