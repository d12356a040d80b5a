export { Bus, DEFAULT_PULL_EXPIRES_MS, PoisonMessageError, natsConnectionOptions } from './bus';
export type {
  BatchHandler,
  BatchItem,
  BatchOptions,
  BusOptions,
  BusLogger,
  BusObserver,
  BoundConsumer,
  ConsumerLag,
  NatsConnectOptions,
  ConsumerHandle,
  Delivery,
  DeliveryOutcome,
  FollowOptions,
  FollowStart,
  Handler,
  PublishOptions,
  PublishResult,
} from './bus';
export { MODEL_NAME, Subjects, GLOBAL_SCOPE } from './subjects';
export type { ExecutionSubjectKind, MarketDataKind, RiskEventKind } from './subjects';
export { Topology } from './topology';
export type { ConsumerOwner, DurableDeclaration, Shard, StreamDeclaration, StreamKey, TopologyOptions } from './topology';
export { provisionTopology, deleteTopologyStreams } from './bootstrap';
export { NATS_ROLES, natsAuthorizationConfig, natsInboxPrefix, natsPermissions } from './permissions';
export type { NatsPermissions, NatsRole, NatsUser } from './permissions';
export type { ProvisionReport } from './bootstrap';
export { traceIdOf } from './tracing';
export { ReplayGate } from './replay-gate';
export { BusError, BusConnectError, MissingConsumerError, InvalidSubjectTokenError, InvalidStartSequenceError, InvalidStartTimeError, PublishError } from './errors';
