import { newId, nowNanos } from '../src';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** The millisecond timestamp in an id's first 10 characters. */
function timeOf(id: string): number {
  let t = 0;
  for (const c of id.slice(0, 10)) t = t * 32 + CROCKFORD.indexOf(c);
  return t;
}

describe('newId', () => {
  test('is 26 Crockford base32 characters, safe as a subject token and a Nats-Msg-Id', () => {
    const id = newId();
    expect(id).toHaveLength(26);
    expect(id).toMatch(ID);
    expect(id).not.toMatch(/[ILOU]/);
  });

  test('is unique over 10,000 calls in the same few milliseconds', () => {
    const ids = Array.from({ length: 10_000 }, () => newId());
    expect(new Set(ids).size).toBe(10_000);
    expect(ids.filter((id) => !ID.test(id))).toEqual([]);
  });

  test('encodes its timestamp in the first 10 characters', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(after);
    expect(timeOf(newId(0))).toBe(0);
    expect(newId(0).slice(0, 10)).toBe('0000000000');
    expect(timeOf(newId(1_763_000_000_123))).toBe(1_763_000_000_123);
    expect(timeOf(newId(2 ** 48 - 1))).toBe(2 ** 48 - 1); // ULID's largest timestamp
    expect(newId(2 ** 48 - 1).slice(0, 10)).toBe('7ZZZZZZZZZ');
  });

  test('sorts by time: ids of later milliseconds sort after earlier ones', () => {
    const start = 1_700_000_000_000;
    const times = Array.from({ length: 2_000 }, (_, i) => start + i * 7 + (i % 3));
    const ids = times.map((t) => newId(t));
    const shuffled = [...ids].reverse();
    expect([...shuffled].sort()).toEqual(ids);
    // Across widely different times too, including when a digit rolls over.
    const spread = [0, 31, 32, 1023, 1024, 1_000_000, 1_700_000_000_000, 2 ** 41, 2 ** 48 - 1].map((t) => newId(t));
    expect([...spread].reverse().sort()).toEqual(spread);
  });

  test('ids made a millisecond apart in real time sort in creation order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(newId());
      const t = Date.now();
      while (Date.now() === t) await new Promise((r) => setImmediate(r));
    }
    expect([...ids].sort()).toEqual(ids);
  });

  test('the random part varies', () => {
    const tails = new Set(Array.from({ length: 100 }, () => newId(42).slice(10)));
    expect(tails.size).toBe(100);
  });
});

describe('nowNanos', () => {
  test('is a bigint of nanoseconds since the epoch, close to the wall clock', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const n = nowNanos();
    const after = BigInt(Date.now()) * 1_000_000n;
    expect(typeof n).toBe('bigint');
    expect(n).toBeGreaterThan(2n ** 53n);
    // Anchored to the wall clock at load time; allow for clock adjustments since then.
    expect(n).toBeGreaterThan(before - 1_000_000_000n);
    expect(n).toBeLessThan(after + 1_000_000_000n);
  });

  test('never goes backwards over 100,000 readings, and advances', () => {
    let prev = nowNanos();
    const first = prev;
    let backwards = 0;
    for (let i = 0; i < 100_000; i++) {
      const n = nowNanos();
      if (n < prev) backwards += 1;
      prev = n;
    }
    expect(backwards).toBe(0);
    expect(prev).toBeGreaterThan(first);
  });
});
