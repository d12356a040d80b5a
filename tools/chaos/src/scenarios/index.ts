import type { Scenario } from '../scenario';
import { killServices } from './kill-services';
import { natsNodeLoss } from './nats-node-loss';
import { postgresOutage } from './postgres-outage';
import { slowConsumer } from './slow-consumer';
import { venueFaults, venueFaultsCompound } from './venue-faults';

/** Every scenario `npm run chaos -- <name>` knows; adding one is adding it here. */
export const SCENARIOS: readonly Scenario[] = [killServices, natsNodeLoss, postgresOutage, venueFaults, venueFaultsCompound, slowConsumer];
