import { Metadata, status as Status } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';

export { Status };

/** A gRPC error with a status code and a message that names the offending value. */
export function grpcError(code: Status, message: string): ServiceError {
  const err = new Error(message) as ServiceError;
  err.code = code;
  err.details = message;
  err.metadata = new Metadata();
  return err;
}
