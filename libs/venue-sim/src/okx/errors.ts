import { PlatformError } from '@meridian/domain';

/** Errors of the OKX protocol server itself (its configuration), never of the requests it answers. */
export class OkxServerError extends PlatformError {}

/** A bad server option or keys file entry; `key` names it. */
export class OkxServerConfigError extends OkxServerError {
  constructor(
    readonly key: string,
    value: unknown,
    reason: string,
  ) {
    super('OKX_SERVER_CONFIG', `OKX server option ${key}=${JSON.stringify(value)}: ${reason}`);
  }
}
