import type { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

/** What ts-proto generates for every message: the bus encodes and decodes through it. */
export interface MessageCodec<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | Uint8Array, length?: number): T;
  fromPartial(object: Partial<T>): T;
  toJSON(message: T): unknown;
}
