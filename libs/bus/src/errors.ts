import { PlatformError } from '@meridian/domain';

/** Base of bus errors: a stable code, the subject or stream involved in the message. */
export class BusError extends PlatformError {}

export class BusConnectError extends BusError {
  constructor(servers: string, cause: unknown) {
    super('BUS_CONNECT', `cannot connect to NATS at ${redactServers(servers)}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/** Hides the password (or token) a NATS URL may carry in its user info. */
function redactServers(servers: string): string {
  return servers
    .split(',')
    .map((s) => s.trim().replace(/^([a-z]+:\/\/)([^@/]*)@/i, (_m, scheme: string, info: string) => `${scheme}${info.includes(':') ? `${info.slice(0, info.indexOf(':'))}:***` : '***'}@`))
    .join(',');
}

export class MissingConsumerError extends BusError {
  constructor(stream: string, consumer: string, cause: unknown) {
    super(
      'BUS_MISSING_CONSUMER',
      `durable consumer ${consumer} on stream ${stream} does not exist: run \`npm run bootstrap\` (or the chart's provisioning job) with this shard's symbols first`,
      { cause },
    );
  }
}

export class InvalidSubjectTokenError extends BusError {
  constructor(token: string, role: string) {
    super('BUS_INVALID_TOKEN', `invalid ${role} ${JSON.stringify(token)} for a subject token: use a-z A-Z 0-9 - _ only, at most 256 characters`);
  }
}

export class PublishError extends BusError {
  constructor(subject: string, cause: unknown) {
    super('BUS_PUBLISH', `publish to ${subject} failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

export class InvalidStartSequenceError extends BusError {
  constructor(startSeq: bigint | number) {
    super('BUS_INVALID_START_SEQUENCE', `invalid start sequence ${String(startSeq)}: stream sequences are integers from 1`);
  }
}

export class InvalidStartTimeError extends BusError {
  constructor(startTime: unknown) {
    super('BUS_INVALID_START_TIME', `invalid start time ${String(startTime)}: a follow by time needs a valid Date`);
  }
}
