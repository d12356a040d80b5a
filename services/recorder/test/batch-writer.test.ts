import { BatchWriter } from '../src/batch-writer';

/** A sink that records each write and refuses any batch holding a "bad" item. */
function sink() {
  const writes: string[][] = [];
  const events: string[] = [];
  const write = async (items: readonly string[]) => {
    await new Promise((r) => setTimeout(r, 1));
    if (items.some((i) => i.startsWith('bad'))) throw new Error(`refused ${items.join(',')}`);
    writes.push([...items]);
  };
  const hooks = {
    written: (n: number) => events.push(`written ${n}`),
    split: (n: number, err: unknown) => events.push(`split ${n}: ${(err as Error).message}`),
  };
  return { writes, events, write, hooks };
}

test('concurrent adds share one write; a full batch is written at once, a partial one after maxWaitMs', async () => {
  const s = sink();
  // A minute's wait: only reaching maxItems can write this batch within the test's time.
  const full = new BatchWriter(s.write, { maxItems: 3, maxWaitMs: 60_000 }, s.hooks);
  await Promise.all(['a', 'b', 'c'].map((x) => full.add(x)));
  expect(s.writes).toEqual([['a', 'b', 'c']]);
  const partial = new BatchWriter(s.write, { maxItems: 3, maxWaitMs: 30 }, s.hooks);
  const t = Date.now();
  await Promise.all(['d', 'e'].map((x) => partial.add(x)));
  expect(Date.now() - t).toBeGreaterThanOrEqual(25);
  expect(s.writes).toEqual([['a', 'b', 'c'], ['d', 'e']]);
  expect(s.events).toEqual(['written 3', 'written 2']);
});

test('a failed batch is retried item by item: the good ones resolve, the bad one rejects with its own error', async () => {
  const s = sink();
  const writer = new BatchWriter(s.write, { maxItems: 3, maxWaitMs: 1_000 }, s.hooks);
  const results = await Promise.allSettled(['x', 'bad-1', 'y'].map((i) => writer.add(i)));
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  expect(((results[1] as PromiseRejectedResult).reason as Error).message).toBe('refused bad-1');
  expect(s.writes).toEqual([['x'], ['y']]);
  expect(s.events).toEqual(['split 3: refused x,bad-1,y']);
});

test('a batch of one that fails rejects at once; drain writes what is gathered without waiting', async () => {
  const s = sink();
  const writer = new BatchWriter(s.write, { maxItems: 10, maxWaitMs: 60_000 }, s.hooks);
  await expect(Promise.all([writer.add('bad'), writer.drain()])).rejects.toThrow('refused bad');
  const pending = writer.add('later');
  await writer.drain();
  await pending;
  expect(s.writes).toEqual([['later']]);
  expect(s.events).toEqual(['written 1']);
});
