import pino from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout, one field `service` on every line; `npm start` prefixes and shortens them. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  });
}
