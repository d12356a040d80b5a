/**
 * Ids of orders that settled (nothing of them works any more), held for one more sweep before they
 * are handed back to be forgotten. A long-running service tracks every order it hears of; without
 * this its maps grow with every order of its life. Keeping a settled order a while is what lets an
 * event still on its way find it: a late fill, a redelivered intent, another stream's replay.
 *
 * The owner sweeps on a timer of its retention: an id marked since the last sweep comes back from
 * the sweep after next, so it is kept between one and two intervals after its last mark whatever
 * the order rate, and a sweep costs what settled in one interval, never a scan of what is still
 * open. An order may work again after it settled (its end or fill was read before the order
 * itself): the owner checks that it is still settled before it forgets it, and marks it again
 * when it settles once more.
 */
export class SettledIds {
  private recent = new Set<string>();
  private older = new Set<string>();

  /** Order `id` settled now (or settled again: the interval counts from now). */
  mark(id: string): void {
    this.older.delete(id);
    this.recent.add(id);
  }

  /** Starts a new interval; returns the ids settled before the previous sweep, for the owner to forget. */
  sweep(): ReadonlySet<string> {
    const expired = this.older;
    this.older = this.recent;
    this.recent = new Set();
    return expired;
  }

  /**
   * Starts tracking an owner's orders late (nothing is kept for an owner that never sweeps): the
   * entries settled so far count as marked in the interval before now, so they go at the next sweep.
   */
  static startedFrom<E>(entries: ReadonlyMap<string, E>, isSettled: (entry: E) => boolean): SettledIds {
    const ids = new SettledIds();
    for (const [id, e] of entries) if (isSettled(e)) ids.mark(id);
    ids.sweep();
    return ids;
  }

  /** Sweeps, and deletes from `entries` the expired ids whose entry is still settled; returns how many. */
  forgetFrom<E>(entries: Map<string, E>, isSettled: (entry: E) => boolean): number {
    let forgotten = 0;
    for (const id of this.sweep()) {
      const e = entries.get(id);
      if (e !== undefined && isSettled(e) && entries.delete(id)) forgotten++;
    }
    return forgotten;
  }

  /** Ids waiting for a sweep (marks in the last two intervals). */
  get size(): number {
    return this.recent.size + this.older.size;
  }
}
