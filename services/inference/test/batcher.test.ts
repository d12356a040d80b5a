import { MicroBatcher } from '../src/batcher';

/** A runner that records each batch and answers every input with itself times ten. */
function recorder(fail?: (inputs: readonly number[]) => boolean) {
  const batches: number[][] = [];
  const run = async (inputs: readonly number[]) => {
    batches.push([...inputs]);
    if (fail?.(inputs)) throw new Error(`batch ${inputs.join(',')} failed`);
    return inputs.map((x) => x * 10);
  };
  return { batches, run };
}

test('what is submitted in one turn runs as one batch, each caller getting its own row', async () => {
  const r = recorder();
  const b = new MicroBatcher(64, 0n, r.run);
  const out = await Promise.all([1, 2, 3, 4, 5].map((x) => b.submit(x)));
  expect(out).toEqual([10, 20, 30, 40, 50]);
  expect(r.batches).toEqual([[1, 2, 3, 4, 5]]);
});

test('a batch never exceeds maxBatch; the rest forms the next batches, in order', async () => {
  const r = recorder();
  const b = new MicroBatcher(4, 0n, r.run);
  const out = await Promise.all(Array.from({ length: 10 }, (_, i) => b.submit(i)));
  expect(out).toEqual(Array.from({ length: 10 }, (_, i) => i * 10));
  expect(r.batches).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
});

test('what arrives while a batch runs waits for it and forms the next batch', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const batches: number[][] = [];
  const b = new MicroBatcher(64, 0n, async (inputs: readonly number[]) => {
    batches.push([...inputs]);
    if (batches.length === 1) await gate;
    return inputs.map((x) => -x);
  });
  const first = b.submit(1);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  const later = [2, 3, 4].map((x) => b.submit(x));
  await new Promise((r) => setTimeout(r, 5));
  expect(batches).toEqual([[1]]);
  release();
  expect(await Promise.all([first, ...later])).toEqual([-1, -2, -3, -4]);
  expect(batches).toEqual([[1], [2, 3, 4]]);
});

test('with a wait, a partial batch waits for more (a full one does not), and runs once the wait is over', async () => {
  const r = recorder();
  const long = new MicroBatcher(3, 60_000_000_000n, r.run);
  // A full batch runs at once: waiting out 60 s would time the test out.
  expect(await Promise.all([1, 2, 3].map((x) => long.submit(x)))).toEqual([10, 20, 30]);
  const partial = long.submit(4);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(r.batches).toEqual([[1, 2, 3]]);
  // Filling it ends the wait.
  expect(await Promise.all([partial, long.submit(5), long.submit(6)])).toEqual([40, 50, 60]);
  expect(r.batches).toEqual([[1, 2, 3], [4, 5, 6]]);
  // Waits under a millisecond (no timer) and of a few milliseconds both end by themselves.
  for (const waitNs of [300_000n, 3_000_000n]) {
    const short = new MicroBatcher(64, waitNs, r.run);
    expect(await Promise.all([short.submit(7), short.submit(8)])).toEqual([70, 80]);
  }
  expect(r.batches.slice(2)).toEqual([[7, 8], [7, 8]]);
});

test('a failed run fails its own callers only; drain waits for everything queued', async () => {
  const r = recorder((inputs) => inputs.includes(2));
  const b = new MicroBatcher(2, 0n, r.run);
  const results = await Promise.allSettled([1, 2, 3, 4].map((x) => b.submit(x)));
  expect(results.map((x) => x.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
  expect((results[0] as PromiseRejectedResult).reason.message).toBe('batch 1,2 failed');
  const pending = [5, 6, 7].map((x) => b.submit(x));
  await b.drain();
  expect(b.pending).toBe(0);
  expect(await Promise.all(pending)).toEqual([50, 60, 70]);
});
