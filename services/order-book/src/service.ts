import { OrderBookServiceService } from '@meridian/proto';
import type { RunningService, ServiceContext, ServiceDefinition } from '@meridian/runtime';
import { BookFeed } from './book-feed';
import { BookKeeper } from './book-keeper';
import { BookRegistry } from './book-registry';
import { BookStreams } from './book-stream';
import { Checkpointer } from './checkpointer';
import { orderBookSchema } from './config';
import type { OrderBookConfig } from './config';
import { orderBookGrpc } from './grpc';
import { OrderBookMetrics } from './metrics';
import { planResume } from './resume';

/**
 * Keeps an L2 book per (venue, symbol) of this replica's shard: resumes each from its checkpoint,
 * follows `md.<venue>.<symbol>.book`, publishes the BBO, checkpoints whole books to BOOKS and
 * answers GetBook and StreamBook.
 */
async function start(ctx: ServiceContext<OrderBookConfig>): Promise<RunningService> {
  const { bus, config, logger, health } = ctx;
  const metrics = new OrderBookMetrics(ctx.metrics);
  const keepers = config.MARKET_VENUES.flatMap((venue) => ctx.shard.symbols.map((symbol) => new BookKeeper(venue, symbol)));
  const feeds = keepers.map((keeper) => new BookFeed(keeper, bus, metrics, logger));

  // Ready once every book has replayed what the stream held at start (at once when there was nothing).
  const caughtUp = health.flag('books_caught_up');
  await Promise.all(feeds.map(async (feed) => feed.start(await planResume(bus, feed.keeper))));
  void Promise.all(feeds.map((feed) => feed.caughtUp)).then(() => caughtUp.set(true));

  const checkpointer = new Checkpointer(keepers, bus, config.BOOK_CHECKPOINT_MS, metrics, logger);
  checkpointer.start();
  const streams = new BookStreams(metrics, logger);
  const books = new BookRegistry(keepers, config.MARKET_VENUES, ctx.shard.symbols);

  return {
    grpc: [{ name: 'OrderBookService', definition: OrderBookServiceService, implementation: orderBookGrpc(books, streams) }],
    stop: async () => {
      streams.endAll();
      // Feeds first, so the last checkpoint holds every message this run folded in.
      await Promise.all(feeds.map((feed) => feed.stop()));
      await checkpointer.stop();
    },
  };
}

export const orderBookService: ServiceDefinition<typeof orderBookSchema> = {
  name: 'order-book',
  ports: { http: 9402, grpc: 50402 },
  config: orderBookSchema,
  start,
};
