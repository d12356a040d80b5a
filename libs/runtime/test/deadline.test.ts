// withDeadline: the work's outcome or the timeout's, and never a timer left behind.
import { withDeadline } from '../src/deadline';

afterEach(() => jest.useRealTimers());

test('settles to the work when it comes first, and leaves no timer pending', async () => {
  jest.useFakeTimers();
  const result = withDeadline(Promise.resolve(7), 5_000, () => 'late');
  await expect(result).resolves.toBe(7);
  expect(jest.getTimerCount()).toBe(0);
});

test("passes the work's rejection on, and leaves no timer pending", async () => {
  jest.useFakeTimers();
  await expect(withDeadline(Promise.reject(new Error('refused')), 5_000, () => 'late')).rejects.toThrow('refused');
  expect(jest.getTimerCount()).toBe(0);
});

test("settles to the timeout's value, or its error, once the deadline passes first", async () => {
  const never = new Promise<number>(() => undefined);
  await expect(withDeadline(never, 20, () => 'late')).resolves.toBe('late');
  await expect(withDeadline(never, 20, async () => 'later')).resolves.toBe('later');
  await expect(
    withDeadline(never, 20, () => {
      throw new Error('no answer within 20 ms');
    }),
  ).rejects.toThrow('no answer within 20 ms');
});
