import type { OrderBookServiceServer } from '@meridian/proto';
import type { BookRegistry } from './book-registry';
import { requestedDepth } from './book-registry';
import type { BookStreams } from './book-stream';
import { MAX_STREAM_INTERVAL_MS } from './config';
import { InvalidBookRequestError, toGrpcError } from './errors';

/** `meridian.v1.OrderBookService`: GetBook answers the book now, StreamBook keeps answering. */
export function orderBookGrpc(books: BookRegistry, streams: BookStreams): OrderBookServiceServer {
  return {
    getBook: (call, callback) => {
      try {
        const { venue, symbol, depth } = call.request;
        const depthLevels = requestedDepth(depth);
        callback(null, books.find(venue, symbol).view(depthLevels));
      } catch (err) {
        callback(toGrpcError(err));
      }
    },

    streamBook: (call) => {
      try {
        const { venue, symbol, depth, minIntervalMs } = call.request;
        const depthLevels = requestedDepth(depth);
        if (minIntervalMs > MAX_STREAM_INTERVAL_MS) {
          throw new InvalidBookRequestError('min_interval_ms', minIntervalMs, `must be at most ${MAX_STREAM_INTERVAL_MS}`);
        }
        streams.subscribe(call, books.find(venue, symbol), depthLevels, minIntervalMs);
      } catch (err) {
        // grpc-js turns an 'error' event into the call's status.
        call.emit('error', toGrpcError(err));
      }
    },
  };
}
