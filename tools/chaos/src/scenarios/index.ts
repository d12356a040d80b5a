import type { Scenario } from '../scenario';
import { killServices } from './kill-services';

/** Every scenario `npm run chaos -- <name>` knows; adding one is adding it here. */
export const SCENARIOS: readonly Scenario[] = [killServices];
