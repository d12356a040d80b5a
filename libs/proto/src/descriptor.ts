import { join } from 'node:path';

/** The protobuf package every platform message and service lives in. */
export const PROTO_PACKAGE = 'meridian.v1';

/**
 * Path of the binary FileDescriptorSet that `buf build` writes beside the generated code;
 * gRPC reflection serves the platform's schema from it.
 */
export function descriptorSetPath(): string {
  return join(__dirname, '..', 'descriptor', 'meridian.binpb');
}
