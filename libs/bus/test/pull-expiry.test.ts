import { pullExpiresFor } from '../src/pull-expiry';

describe('pullExpiresFor', () => {
  const names = Array.from({ length: 1000 }, (_, i) => `risk-intent-S${String(i).padStart(4, '0')}-USDT`);

  it('stays within 75–100 % of the configured lifetime, so the node-loss bound holds', () => {
    for (const n of names) {
      const ms = pullExpiresFor(n, 5_000);
      expect(ms).toBeGreaterThanOrEqual(3_750);
      expect(ms).toBeLessThanOrEqual(5_000);
    }
  });

  it('gives a consumer the same lifetime every time (across restarts)', () => {
    expect(pullExpiresFor('risk-intent-BTC-USDT', 5_000)).toBe(pullExpiresFor('risk-intent-BTC-USDT', 5_000));
  });

  it('spreads a thousand per-symbol consumers that differ only in their symbol over the whole range', () => {
    const ms = names.map((n) => pullExpiresFor(n, 5_000));
    // 10 buckets of 125 ms over 3,750–5,000 ms: each gets a share, none most of them.
    const buckets = new Array(10).fill(0);
    for (const m of ms) buckets[Math.min(9, Math.floor((m - 3_750) / 125))]++;
    for (const b of buckets) {
      expect(b).toBeGreaterThan(50);
      expect(b).toBeLessThan(150);
    }
    expect(new Set(ms).size).toBeGreaterThan(500);
  });
});
