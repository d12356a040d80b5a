import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { BinanceRestClient, OkxRestClient, VenueRequestError } from '@meridian/venues';
import { anyText, jsonFrame, numberText } from '../arbitraries';
import { Broken, Refused, target } from '../target';
import { bookProblem } from './invariants';
import { binanceDepthSnapshot, okxRestBody } from './venue-shapes';

/** What the local venue answers: a status, headers and a body, set per input. */
interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface HttpContext {
  readonly server: Server;
  readonly baseUrl: string;
  answer: Answer;
}

/** A local HTTP server standing in for the venue's REST API: it answers whatever the input says. */
async function venueServer(): Promise<HttpContext> {
  const context = { answer: { status: 200, headers: {}, body: '' } } as { answer: Answer; server: Server; baseUrl: string };
  const server = createServer((_req, res) => {
    const a = context.answer;
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(a.body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  context.server = server;
  context.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return context;
}

async function closeServer(c: HttpContext): Promise<void> {
  c.server.closeAllConnections();
  await new Promise<void>((resolve) => c.server.close(() => resolve()));
}

const status = fc.oneof({ weight: 6, arbitrary: fc.constant(200) }, { weight: 1, arbitrary: fc.constantFrom(400, 404, 418, 429, 500, 502, 503, 204, 302, 301) });
/** Header values as a server may send them (only what HTTP allows in a header: no control characters). */
const headerValue = fc.oneof(numberText, fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()), fc.string({ unit: fc.constantFrom(...'abcXYZ019 ,.:-'.split('')), maxLength: 20 })).filter((v) => !/[\r\n\0]/.test(v) && /^[\x20-\x7e]*$/.test(v));

/**
 * `OkxRestClient.bookSnapshot` (libs/venues okx/rest) against a local server answering the fuzzed
 * status and body: the whole REST path (HTTP status, JSON, `decodeRestBook`). A bad answer must
 * come back as `VenueRequestError` (which the client retries; the target stops it after the first).
 */
export const okxRestClient = target<Answer, HttpContext>({
  name: 'okx.rest-client',
  calls: 'libs/venues okx/rest OkxRestClient.bookSnapshot over HTTP',
  weight: 6,
  ciRuns: 150,
  codes: [],
  async: true,
  arbitrary: fc.record({ status, headers: fc.constant({}), body: jsonFrame(okxRestBody) }),
  setup: venueServer,
  teardown: closeServer,
  async run(answer, c) {
    c.answer = answer;
    const controller = new AbortController();
    let refusal: VenueRequestError | undefined;
    const client = new OkxRestClient({
      venue: 'okx',
      baseUrl: c.baseUrl,
      timeoutMs: 5_000,
      backoff: { initialMs: 1, maxMs: 1, factor: 1 },
      rateLimit: { requests: 1_000_000, intervalMs: 1_000 },
      onRetry: (err) => {
        // The client would retry a refused answer forever; the first refusal is the outcome.
        refusal = err;
        controller.abort();
      },
    });
    try {
      const book = await client.bookSnapshot('BTC-USDT', 400, controller.signal);
      if (answer.status !== 200) return `HTTP ${answer.status} accepted as a book`;
      if (book.seqId === undefined) return 'REST book without seqId accepted';
      return bookProblem(book, 'snapshot');
    } catch (err) {
      if (refusal !== undefined && controller.signal.aborted) throw new Refused(`${refusal.code}${answer.status === 200 ? '' : ` HTTP ${answer.status}`}`, refusal.message);
      throw err;
    }
  },
});

/**
 * `BinanceRestClient.depth` (libs/venues binance/rest) against a local server answering the
 * fuzzed status, weight and Retry-After headers and body, then the body decoded as the feed does.
 * A fresh client per input: a pause one answer asks for must not hold up the next input.
 */
export const binanceRestClient = target<Answer, HttpContext>({
  name: 'binance.rest-client',
  calls: 'libs/venues binance/rest BinanceRestClient.depth over HTTP (status, x-mbx-used-weight-1m, Retry-After)',
  weight: 6,
  ciRuns: 150,
  codes: ['VENUE_REQUEST'],
  async: true,
  arbitrary: fc.record({
    status,
    headers: fc.record({ 'x-mbx-used-weight-1m': headerValue, 'retry-after': headerValue }, { requiredKeys: [] }),
    body: fc.oneof(jsonFrame(binanceDepthSnapshot), anyText),
  }),
  setup: venueServer,
  teardown: closeServer,
  async run(answer, c) {
    c.answer = answer;
    const client = new BinanceRestClient({ venue: 'binance', baseUrl: c.baseUrl, weightPerMinute: 6_000, ipWeightLimitPerMinute: 6_000, requestTimeoutMs: 5_000, defaultRetryAfterMs: 1_000 });
    let text: string | undefined;
    let failure: unknown;
    try {
      ({ text } = await client.depth('BTCUSDT', 100, new AbortController().signal));
    } catch (err) {
      failure = err;
    }
    // Whatever the headers said, the next request of this client must not be held up beyond a timer's reach.
    const pauseMs = client.pausedUntilMs - Date.now();
    if (!(pauseMs <= 2 ** 31 - 1)) throw new Broken(`Retry-After ${JSON.stringify(answer.headers['retry-after'])} paused the client for ${pauseMs} ms`);
    if (failure !== undefined) throw failure;
    if (answer.status < 200 || answer.status > 299) throw new Broken(`HTTP ${answer.status} answered as a body`);
    // What went over the wire is the body's UTF-8, in which a lone surrogate became U+FFFD; fetch's
    // text() drops a leading byte-order mark, as the WHATWG UTF-8 decode does.
    if (answer.status === 200 && text !== Buffer.from(answer.body, 'utf8').toString('utf8').replace(/^\ufeff/, '')) throw new Broken('the body read is not the body sent');
    return undefined;
  },
});
