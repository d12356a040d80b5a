import { untilWallClock } from '../src/scenario';

describe('untilWallClock', () => {
  afterEach(() => jest.restoreAllMocks());

  test('waits until Date.now() reaches the time, also when a timer fires a millisecond early by it', async () => {
    let now = 1_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const waits: number[] = [];
    // The first timer ends one millisecond short by the wall clock, as Node's timers can.
    jest.spyOn(global, 'setTimeout').mockImplementation(((fire: () => void, ms: number) => {
      waits.push(ms);
      now += waits.length === 1 ? ms - 1 : ms;
      fire();
      return 0;
    }) as unknown as typeof setTimeout);
    await untilWallClock(1_500);
    expect(waits).toEqual([500, 1]);
    expect(now).toBe(1_500);
  });

  test('a time already reached returns at once', async () => {
    const timer = jest.spyOn(global, 'setTimeout');
    await untilWallClock(Date.now() - 1);
    expect(timer).not.toHaveBeenCalled();
  });
});
