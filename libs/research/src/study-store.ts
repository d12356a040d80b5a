import { canonicalJson } from './canonical';
import { StudyBusyError, StudyMismatchError } from './errors';
import type { SamplerSpec } from './samplers/sampler';
import type { SpaceSpec } from './space';
import type { Direction, TrialRecord } from './trial';

/** What identifies a study: resuming it by name requires all of this to match. */
export interface StudyDefinition {
  name: string;
  direction: Direction;
  space: SpaceSpec;
  sampler: SamplerSpec;
  objective: string;
  seed: number;
  /** The budget of this run; may differ from the stored one. */
  nTrials: number;
}

export interface StoredStudy {
  definition: StudyDefinition;
  trials: TrialRecord[];
}

/** Where a study's definition and finished trials live between runs. */
export interface StudyStore {
  /** Creates the study, or checks the stored one matches (StudyMismatchError); returns its finished trials by number. */
  openStudy(definition: StudyDefinition): Promise<TrialRecord[]>;
  recordTrial(study: string, trial: TrialRecord): Promise<void>;
  /** Holds the study for this run alone (StudyBusyError if another holds it); the result releases it. */
  acquire(study: string): Promise<() => Promise<void>>;
  loadStudy(name: string): Promise<StoredStudy | undefined>;
}

/** Throws StudyMismatchError on the first field where the stored definition differs. */
export function checkSameStudy(stored: StudyDefinition, requested: StudyDefinition): void {
  const fields = ['direction', 'objective', 'seed', 'space', 'sampler'] as const;
  for (const f of fields) {
    if (canonicalJson(stored[f]) !== canonicalJson(requested[f])) throw new StudyMismatchError(requested.name, f, stored[f], requested[f]);
  }
}

/** A study store in this process's memory: nothing survives the process; for one-off runs and walk-forward windows. */
export class MemoryStudyStore implements StudyStore {
  private readonly studies = new Map<string, StoredStudy>();
  private readonly held = new Set<string>();

  async openStudy(definition: StudyDefinition): Promise<TrialRecord[]> {
    const stored = this.studies.get(definition.name);
    if (!stored) {
      this.studies.set(definition.name, { definition: structuredClone(definition), trials: [] });
      return [];
    }
    checkSameStudy(stored.definition, definition);
    stored.definition.nTrials = definition.nTrials;
    return structuredClone(stored.trials).sort((a, b) => a.number - b.number);
  }

  async recordTrial(study: string, trial: TrialRecord): Promise<void> {
    const stored = this.studies.get(study);
    if (!stored) throw new StudyMismatchError(study, 'name', undefined, study);
    if (!stored.trials.some((t) => t.number === trial.number)) stored.trials.push(structuredClone(trial));
  }

  async acquire(study: string): Promise<() => Promise<void>> {
    if (this.held.has(study)) throw new StudyBusyError(study);
    this.held.add(study);
    return async () => {
      this.held.delete(study);
    };
  }

  async loadStudy(name: string): Promise<StoredStudy | undefined> {
    const s = this.studies.get(name);
    return s && { definition: structuredClone(s.definition), trials: structuredClone(s.trials).sort((a, b) => a.number - b.number) };
  }
}
