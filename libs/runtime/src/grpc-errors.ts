import { Metadata, status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';

export { Status };

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A gRPC error with a status code and a message that names the offending value. The message may
 * quote what a client sent, and JSON's `\ud800` escape makes a lone surrogate of plain ASCII;
 * grpc-js puts the message in a header through `encodeURI`, which throws on one and took the
 * process down. Such a character becomes U+FFFD (what any UTF-8 encoder writes for it).
 */
export function grpcError(code: Status, message: string): ServiceError {
  const text = message.replace(LONE_SURROGATE, '\ufffd');
  const err = new Error(text) as ServiceError;
  err.code = code;
  err.details = text;
  err.metadata = new Metadata();
  return err;
}
