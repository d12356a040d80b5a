import { LevelTargets } from '../src/level-targets';

describe('LevelTargets', () => {
  test('keeps prices in the order added, finds them by a scan while short and by an index once long, and clears both', () => {
    const t = new LevelTargets();
    const prices = Array.from({ length: 40 }, (_, i) => 1000 - 7 * i);
    for (const [i, p] of prices.entries()) {
      expect(t.has(p)).toBe(false);
      t.add(p, i);
      expect(t.has(p)).toBe(true);
      // Every earlier price is still found, and one never added is not, on either side of the switch to the index.
      expect(prices.slice(0, i + 1).every((q) => t.has(q))).toBe(true);
      expect(t.has(p + 1)).toBe(false);
    }
    expect(t.length).toBe(40);
    expect(Array.from({ length: t.length }, (_, i) => [t.priceAt(i), t.lotsAt(i)])).toEqual(prices.map((p, i) => [p, i]));
    t.clear();
    expect(t.length).toBe(0);
    expect(t.has(prices[30]!)).toBe(false);
    t.add(5, 1);
    expect(t.has(5)).toBe(true);
    expect(t.has(prices[0]!)).toBe(false);
  });
});
