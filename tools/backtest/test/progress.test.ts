import { StatusLine, progressLine } from '../src';

function recorder(isTTY: boolean): { stream: { isTTY: boolean; columns: number; write(s: string): boolean }; written: string[] } {
  const written: string[] = [];
  return { stream: { isTTY, columns: 80, write: (s: string) => written.push(s) > 0 }, written };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('on a pipe the first status line waits a whole interval from when the status line was made, then one per interval', async () => {
  const { stream, written } = recorder(false);
  const status = new StatusLine(stream, false, 200);
  status.update('early');
  expect(written).toEqual([]);
  await sleep(250);
  status.update('first');
  status.update('too soon');
  expect(written).toEqual(['first\n']);
  status.update('forced', true);
  expect(written).toEqual(['first\n', 'forced\n']);
});

test('on a terminal the first update draws at once, in place', () => {
  const { stream, written } = recorder(true);
  const status = new StatusLine(stream, false, 200);
  status.update(progressLine({ events: 512, total: 1024, elapsedMs: 1000 }));
  expect(written).toHaveLength(1);
  expect(written[0]).toMatch(/^\r\x1b\[2K\[#{12}\.{12}\]  50% 512\/1,024 events/);
  status.clear();
  expect(written[1]).toBe('\r\x1b[2K');
});

test('quiet writes nothing, not even a line that stays', () => {
  const { stream, written } = recorder(false);
  const status = new StatusLine(stream, true, 0);
  status.update('x', true);
  status.log('y');
  expect(written).toEqual([]);
});
