import { PlatformError } from '@meridian/domain';

/** Base of runtime errors: a stable code, the offending key or value in the message. */
export class RuntimeError extends PlatformError {}

/** Every invalid configuration key at once, each named with what was wrong. */
export class ConfigError extends RuntimeError {
  constructor(readonly problems: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}
