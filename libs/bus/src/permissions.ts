import type { StreamKey, Topology } from './topology';

/** A process that talks to NATS: a service, or the bootstrap CLI that declares the topology. */
export type NatsRole = 'ingestion' | 'order-book' | 'inference' | 'coordinator' | 'risk' | 'execution' | 'recorder' | 'bootstrap';

export const NATS_ROLES: readonly NatsRole[] = ['ingestion', 'order-book', 'inference', 'coordinator', 'risk', 'execution', 'recorder', 'bootstrap'];

/** What NATS lets one role publish and subscribe to (nats-server `permissions`, allow lists). */
export interface NatsPermissions {
  publish: string[];
  subscribe: string[];
}

/**
 * Which subjects each role writes and which streams it reads. This is the one place that says
 * who may put what on the bus: only risk writes approved orders (`ord.approved.*`), only
 * execution writes execution reports, and the recorder writes nothing.
 */
function flows(topology: Topology, role: Exclude<NatsRole, 'bootstrap'>): { writes: string[]; reads: StreamKey[] } {
  const s = topology.subjects;
  switch (role) {
    case 'ingestion':
      return { writes: [s.marketAll()], reads: [] };
    case 'order-book':
      // Its checkpoints, and the BBO it derives from the books it keeps.
      return { writes: [s.booksAll(), s.bboAll()], reads: ['MARKET', 'BOOKS'] };
    case 'inference':
      // Its own configuration: a change of the active model versions (ActivateModel), which every
      // inference replica follows on CONTROL to load the new version.
      return { writes: [s.signalsAll(), s.config('inference')], reads: ['MARKET', 'CONTROL'] };
    case 'coordinator':
      return { writes: [s.intentsAll()], reads: ['SIGNALS', 'ORDERS', 'EXECUTIONS', 'MARKET', 'CONTROL'] };
    case 'risk':
      // Its own configuration only (limits changes from UpdateLimits), not another service's; its
      // checkpoints (stops, circuit breaker), equity curve and events; and the closing intents of
      // triggered stops, which its own intent consumers then check like any other.
      return {
        writes: [s.approvedAll(), s.rejectedAll(), s.killSwitchAll(), s.config('risk'), s.stopsAll(), s.breakersAll(), s.riskAll(), s.intentsAll()],
        reads: ['ORDERS', 'EXECUTIONS', 'MARKET', 'CONTROL', 'RISK'],
      };
    case 'execution':
      // Intents: orders submitted over gRPC and the child orders of execution algorithms go to
      // risk like every other order; only what risk approves comes back to be sent to a venue.
      // Parents: the life of those algorithms' parent orders, to carry them over a restart.
      return { writes: [s.executionsAll(), s.intentsAll(), s.parentsAll()], reads: ['ORDERS', 'EXECUTIONS', 'MARKET', 'CONTROL'] };
    case 'recorder':
      // CONTROL: the audit of risk limit changes (ctl.config.risk); RISK: risk's equity curve and events.
      return { writes: [], reads: ['ORDERS', 'EXECUTIONS', 'MARKET', 'CONTROL', 'RISK'] };
  }
}

/**
 * The JetStream API a reader of `stream` needs: bind its durables and read their backlog, create,
 * pull from and delete the ordered consumers of replays and follows, ack, and read the last
 * value of a subject (BOOKS, CONTROL). Nothing that creates, changes or deletes a stream.
 */
function readerApi(stream: string): string[] {
  return [
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.*`,
    `$JS.API.CONSUMER.DELETE.${stream}.*`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.ACK.${stream}.>`,
  ];
}

/**
 * The inbox prefix of a process (the client's `inboxPrefix`): replies to its requests and the
 * messages it pulls from its consumers arrive under it. One per role, so that a role allowed to
 * subscribe to its own inbox cannot read what is delivered to another's (a shared `_INBOX.>`
 * would let any service read the approved orders pulled by execution).
 */
export function natsInboxPrefix(role: string): string {
  return `_INBOX_${role}`;
}

/**
 * The permissions of one role. Replies (JetStream acks, API answers, pulled messages) come to the
 * client's inbox, so every role subscribes to its own inbox (`natsInboxPrefix`) and nothing else;
 * the bootstrap CLI may use the whole JetStream API, because declaring streams and consumers is
 * its job.
 */
export function natsPermissions(topology: Topology, role: NatsRole): NatsPermissions {
  const inbox = `${natsInboxPrefix(role)}.>`;
  if (role === 'bootstrap') return { publish: ['$JS.API.>'], subscribe: [inbox] };
  const { writes, reads } = flows(topology, role);
  const api = ['$JS.API.INFO', ...reads.flatMap((k) => readerApi(topology.streamName(k)))];
  return { publish: [...writes, ...api], subscribe: [inbox] };
}

export interface NatsUser {
  role: NatsRole;
  user: string;
  /**
   * The password as nats-server's configuration takes it: a literal, a bcrypt hash, or a `$VAR`
   * reference to an environment variable of the server (what a Helm install should use).
   */
  password: string;
}

/**
 * A nats-server `authorization` block giving each user its role's permissions. It goes into the
 * server's configuration (the official NATS chart: `config.merge`); `npm run nats-permissions`
 * prints it.
 */
export function natsAuthorizationConfig(topology: Topology, users: readonly NatsUser[]): string {
  const quote = (s: string) => JSON.stringify(s);
  const list = (items: string[]) => `[${items.map(quote).join(', ')}]`;
  const value = (password: string) => (/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(password) ? password : quote(password));
  const entries = users.map((u) => {
    const p = natsPermissions(topology, u.role);
    return [
      '    {',
      `      user: ${quote(u.user)}`,
      `      password: ${value(u.password)}`,
      '      permissions: {',
      `        publish: { allow: ${list(p.publish)} }`,
      `        subscribe: { allow: ${list(p.subscribe)} }`,
      '      }',
      '    }',
    ].join('\n');
  });
  return `authorization {\n  users: [\n${entries.join('\n')}\n  ]\n}\n`;
}
