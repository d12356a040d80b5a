import { InvalidOptionError, MemoryStudyStore, StudyBusyError, StudyMismatchError, runStudy } from '../src';
import type { Params, StudyProgress, TrialContext } from '../src';

const space = { x: { type: 'float', low: -4, high: 4 }, n: { type: 'int', low: 1, high: 5 } } as const;
const score = (p: Params) => -(((p.x as number) - 1) ** 2) - (p.n as number);

describe('runStudy', () => {
  it('runs the budget, reports progress per trial and keeps the best', async () => {
    const progress: StudyProgress[] = [];
    const seen: TrialContext[] = [];
    const result = await runStudy({
      name: 'inline',
      space,
      sampler: { kind: 'random' },
      seed: 3,
      nTrials: 25,
      workers: 4,
      data: { tag: 'd' },
      objective: async (p, ctx) => {
        seen.push(ctx);
        return { score: score(p), metrics: { n: p.n as number } };
      },
      onProgress: (p) => progress.push(p),
    });
    expect(result.trials.map((t) => t.number)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(result).toMatchObject({ ran: 25, resumed: 0, completed: 25, failed: 0, stopped: false });
    const top = Math.max(...result.trials.map((t) => t.score!));
    expect(result.best!.score).toBe(top);
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(progress.every((p) => p.total === 25 && p.best !== undefined)).toBe(true);
    expect(progress[24]!.best!.score).toBe(top);
    expect(seen.every((c) => c.study === 'inline' && c.seed === 3 && (c.data as { tag: string }).tag === 'd')).toBe(true);
  });

  it('keeps going when trials throw, and records each failure', async () => {
    const result = await runStudy({
      name: 'throws',
      space: { k: { type: 'int', low: 0, high: 9 } },
      sampler: { kind: 'grid' },
      direction: 'minimize',
      objective: (p) => {
        if ((p.k as number) % 3 === 0) throw new Error(`k ${p.k} is a multiple of 3`);
        return { score: p.k as number };
      },
    });
    expect(result.trials).toHaveLength(10);
    expect(result.failed).toBe(4);
    expect(result.trials.find((t) => t.number === 6)).toMatchObject({ state: 'failed', error: 'Error: k 6 is a multiple of 3', metrics: {} });
    expect(result.best).toMatchObject({ params: { k: 1 }, score: 1 });
  });

  it('resumes a study in the same store without re-running finished trials', async () => {
    const store = new MemoryStudyStore();
    const calls: number[] = [];
    const objective = (p: Params, ctx: TrialContext) => {
      calls.push(ctx.trial);
      return { score: score(p) };
    };
    const ac = new AbortController();
    const first = await runStudy({ name: 'resume', space, sampler: { kind: 'tpe', startupTrials: 5 }, nTrials: 20, store, objective, onProgress: (p) => p.done === 8 && ac.abort(), signal: ac.signal });
    expect(first).toMatchObject({ ran: 8, stopped: true });
    const second = await runStudy({ name: 'resume', space, sampler: { kind: 'tpe', startupTrials: 5 }, nTrials: 20, store, objective });
    expect(second).toMatchObject({ resumed: 8, ran: 12, stopped: false });
    expect(calls).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // Uninterrupted run: the same trials, since TPE refits from the stored history.
    const whole = await runStudy({ name: 'whole', space, sampler: { kind: 'tpe', startupTrials: 5 }, nTrials: 20, objective: (p) => ({ score: score(p) }) });
    expect(second.trials.map((t) => t.params)).toEqual(whole.trials.map((t) => t.params));
    // A larger budget continues from where it ended.
    const third = await runStudy({ name: 'resume', space, sampler: { kind: 'tpe', startupTrials: 5 }, nTrials: 23, store, objective });
    expect(third).toMatchObject({ resumed: 20, ran: 3 });
  });

  it('refuses to resume with a different definition', async () => {
    const store = new MemoryStudyStore();
    await runStudy({ name: 's', space, sampler: { kind: 'random' }, nTrials: 2, store, objective: (p) => ({ score: score(p) }) });
    await expect(runStudy({ name: 's', space, sampler: { kind: 'tpe' }, nTrials: 2, store, objective: (p) => ({ score: score(p) }) })).rejects.toThrow(StudyMismatchError);
    await expect(runStudy({ name: 's', space, sampler: { kind: 'random' }, seed: 9, nTrials: 2, store, objective: (p) => ({ score: score(p) }) })).rejects.toThrow(
      'study "s" is stored with seed 0 but was resumed with 9',
    );
  });

  it('holds a study for one run at a time', async () => {
    const store = new MemoryStudyStore();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow = runStudy({ name: 'busy', space, sampler: { kind: 'random' }, nTrials: 1, store, objective: async (p) => (await gate, { score: score(p) }) });
    await new Promise((r) => setTimeout(r, 20));
    await expect(runStudy({ name: 'busy', space, sampler: { kind: 'random' }, nTrials: 1, store, objective: (p) => ({ score: score(p) }) })).rejects.toThrow(StudyBusyError);
    release();
    await expect(slow).resolves.toMatchObject({ ran: 1 });
  });

  it('hands out `prefetch` trials beyond the concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const objective = async (p: Params) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { score: score(p) };
    };
    await runStudy({ name: 'pf0', space, sampler: { kind: 'random' }, nTrials: 8, objective });
    expect(most).toBe(1);
    most = 0;
    await runStudy({ name: 'pf2', space, sampler: { kind: 'random' }, nTrials: 8, prefetch: 2, objective });
    expect(most).toBe(3);
  });

  it('validates its options by name', async () => {
    const objective = (p: Params) => ({ score: score(p) });
    await expect(runStudy({ name: 'x', space, sampler: { kind: 'random' }, objective })).rejects.toThrow('nTrials is required for the random sampler');
    await expect(runStudy({ name: 'x', space, sampler: { kind: 'grid' }, nTrials: 10_000, objective })).rejects.toThrow("nTrials must not exceed the grid's");
    await expect(runStudy({ name: 'x y', space, nTrials: 1, objective })).rejects.toThrow(InvalidOptionError);
    await expect(runStudy({ name: 'x', space, nTrials: 1, seed: -1, objective })).rejects.toThrow('seed must be an integer in [0, 2^32)');
    await expect(runStudy({ name: 'x', space, nTrials: 1, prefetch: -1, objective })).rejects.toThrow('prefetch must be a non-negative integer');
  });
});
