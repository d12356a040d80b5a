import { Metadata } from '@grpc/grpc-js';
import type { ClientReadableStream, ServiceError, StatusObject } from '@grpc/grpc-js';
import type { GetBookResponse, OrderBookServiceClient, StreamBookResponse } from '@meridian/proto';

export function getBook(client: OrderBookServiceClient, venue: string, symbol: string, depth = 0): Promise<GetBookResponse> {
  return new Promise((resolve, reject) =>
    client.getBook({ venue, symbol, depth }, new Metadata(), { deadline: Date.now() + 5_000 }, (err, res) => (err ? reject(err) : resolve(res))),
  );
}

/** The error a call failed with (or a thrown error if it succeeded). */
export async function failureOf(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** A StreamBook call and everything it received, with the arrival time of each message. */
export class BookStreamReader {
  readonly messages: { book: GetBookResponse; atMs: number }[] = [];
  error: ServiceError | undefined;
  status: StatusObject | undefined;
  ended = false;
  readonly call: ClientReadableStream<StreamBookResponse>;

  constructor(client: OrderBookServiceClient, request: { venue: string; symbol: string; depth: number; minIntervalMs: number }) {
    this.call = client.streamBook(request);
    this.call.on('data', (m: StreamBookResponse) => this.messages.push({ book: m.book!, atMs: Date.now() }));
    this.call.on('error', (err: ServiceError) => (this.error = err));
    this.call.on('status', (s: StatusObject) => (this.status = s));
    this.call.on('end', () => (this.ended = true));
  }

  get last(): GetBookResponse | undefined {
    return this.messages[this.messages.length - 1]?.book;
  }
}
