import { PlatformError } from '@meridian/domain';

/** A command line or input the training CLI refuses: names the option or file. */
export class TrainCliError extends PlatformError {
  constructor(
    readonly option: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('TRAIN_CLI', `${option}: ${reason}`, options);
  }
}

/** Input data that is absent (the M4 or crypto files); the CLI and tests skip with this message. */
export class DataMissingError extends PlatformError {
  constructor(readonly path: string) {
    super('TRAIN_DATA_MISSING', `data not found: ${path}`);
  }
}

/** A bar file that cannot be read as bars: names the file, line and column. */
export class BarFileError extends PlatformError {
  constructor(
    readonly file: string,
    readonly line: number,
    reason: string,
  ) {
    super('TRAIN_BAR_FILE', `${file}:${line}: ${reason}`);
  }
}
