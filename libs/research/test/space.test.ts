import { InvalidSpaceError, ParamSpace, paramsKey } from '../src';
import { keyedRng } from '../src/rng';

describe('ParamSpace', () => {
  const space = ParamSpace.from({
    fast: { type: 'int', low: 2, high: 20, step: 2 },
    stop: { type: 'float', low: 0.5, high: 1.5 },
    rate: { type: 'logfloat', low: 1e-4, high: 1e-1 },
    mode: { type: 'choice', values: ['ema', 'sma', true, 3] },
  });

  it.each([
    [{}, 'space must define at least one parameter'],
    [{ a: { type: 'int', low: 1.5, high: 3 } }, 'space.a.low must be an integer'],
    [{ a: { type: 'int', low: 5, high: 3 } }, 'space.a.high must be >= low (5)'],
    [{ a: { type: 'int', low: 0, high: 9, step: 2 } }, 'space.a.high must be low + k*step'],
    [{ a: { type: 'float', low: 0, high: Infinity } }, 'space.a.high must be a finite number'],
    [{ a: { type: 'logfloat', low: 0, high: 1 } }, 'space.a.low must be > 0 for a log-scaled parameter'],
    [{ a: { type: 'choice', values: [] } }, 'space.a.values must be a non-empty array'],
    [{ a: { type: 'choice', values: ['x', 'x'] } }, 'space.a.values[1] repeats an earlier value'],
    [{ a: { type: 'normal', low: 0, high: 1 } }, 'space.a.type must be one of int, float, logfloat, choice'],
    [{ a: { type: 'int', low: 0, high: 1, lo: 2 } }, 'space.a.lo is not a key of a int parameter'],
    [{ 'bad name': { type: 'int', low: 0, high: 1 } }, 'space.bad name is not a plain parameter name'],
  ])('rejects %j naming the key', (spec, message) => {
    expect(() => ParamSpace.from(spec as never)).toThrow(InvalidSpaceError);
    expect(() => ParamSpace.from(spec as never)).toThrow(message);
  });

  it('validates parameter sets against the space', () => {
    const good = { fast: 4, stop: 1, rate: 0.01, mode: true };
    expect(space.validate(good)).toEqual(good);
    expect(() => space.validate({ ...good, fast: 5 })).toThrow('params.fast must be an integer 2 + k*2, got 5');
    expect(() => space.validate({ ...good, stop: 2 })).toThrow('params.stop must be in [0.5, 1.5], got 2');
    expect(() => space.validate({ ...good, mode: 'wma' })).toThrow('params.mode must be one of');
    expect(() => space.validate({ ...good, extra: 1 })).toThrow('params.extra is not a parameter of the space');
    const { rate: _rate, ...missing } = good;
    expect(() => space.validate(missing)).toThrow('params.rate is missing');
  });

  it('draws every value of an int or choice parameter about equally, inside the bounds', () => {
    const rng = keyedRng(7, 1, 0);
    const counts = new Map<unknown, number>();
    const modes = new Map<unknown, number>();
    let logBelow = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const p = space.validate(space.sampleUniform(rng));
      counts.set(p.fast, (counts.get(p.fast) ?? 0) + 1);
      modes.set(p.mode, (modes.get(p.mode) ?? 0) + 1);
      if ((p.rate as number) < 1e-2) logBelow++;
    }
    expect(counts.size).toBe(10);
    for (const c of counts.values()) expect(Math.abs(c - n / 10)).toBeLessThan(n / 10 * 0.1);
    expect(modes.size).toBe(4);
    // log-uniform over 1e-4..1e-1: two of the three decades lie below 1e-2.
    expect(logBelow / n).toBeGreaterThan(0.64);
    expect(logBelow / n).toBeLessThan(0.69);
  });

  it('maps values to the unit interval and back', () => {
    for (const name of space.names) {
      for (const v of space.gridValues(name)) {
        const back = space.fromUnit(name, space.toUnit(name, v));
        if (typeof v === 'number') expect(back).toBeCloseTo(v, 9);
        else expect(back).toBe(v);
      }
    }
  });

  it('builds grids: all ints, evenly spaced floats, log-spaced logfloats, every choice', () => {
    expect(space.gridValues('fast')).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(space.gridValues('stop')).toEqual([0.5, 0.75, 1, 1.25, 1.5]);
    expect(space.gridValues('rate').map((v) => Math.log10(v as number))).toEqual([-4, -3.25, -2.5, -1.75, -1].map((x) => expect.closeTo(x, 9)));
    expect(space.gridValues('mode')).toEqual(['ema', 'sma', true, 3]);
    expect(space.gridSize()).toBe(10 * 5 * 5 * 4);
  });

  it('keys parameter sets independently of key order', () => {
    expect(paramsKey({ a: 1, b: 'x' })).toBe(paramsKey({ b: 'x', a: 1 }));
    expect(paramsKey({ a: 1, b: 'x' })).not.toBe(paramsKey({ a: 1, b: 'y' }));
  });
});
