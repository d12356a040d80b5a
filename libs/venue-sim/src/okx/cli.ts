#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PlatformError } from '@meridian/domain';
import { SimulatedVenue } from '../venue';
import { OkxServerConfigError } from './errors';
import { parseOkxKeys } from './keys';
import { OkxServer } from './server';
import { defaultVenue, parseVenueFile } from './venue-file';

/**
 * `node libs/venue-sim/dist/okx/cli.js --port 8443 --keys keys.json [--venue venue.json]
 * [--host 127.0.0.1] [--no-rate-limits]`: an OKX v5 server (REST and the private WebSocket)
 * over a simulated exchange, for any OKX client pointed at it. Prints one JSON line with its
 * URLs once listening; SIGINT or SIGTERM stop it.
 */
const USAGE = 'usage: okx-sim --keys <keys.json> [--port <n>] [--host <addr>] [--venue <venue.json>] [--no-rate-limits]';

function readJson(path: string, option: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new OkxServerConfigError(option, path, `cannot be read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new OkxServerConfigError(option, path, `is not JSON: ${(err as Error).message}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      keys: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      venue: { type: 'string' },
      'no-rate-limits': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.keys === undefined) throw new OkxServerConfigError('--keys', undefined, `is required (${USAGE})`);
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535) throw new OkxServerConfigError('--port', values.port, 'must be a port number');
  const keys = parseOkxKeys(readJson(values.keys, '--keys'));
  const venueFile = values.venue === undefined ? defaultVenue(keys) : parseVenueFile(readJson(values.venue, '--venue'));

  const exchange = new SimulatedVenue({ instruments: venueFile.instruments, fees: venueFile.fees, seed: venueFile.seed });
  for (const account of venueFile.accounts) exchange.openAccount(account);
  for (const book of venueFile.books) exchange.applyMarketBook(book.symbol, { snapshot: true, bids: book.bids, asks: book.asks });
  const server = await OkxServer.start({ exchange, keys, port, host: values.host, rateLimits: !values['no-rate-limits'] });
  process.stdout.write(`${JSON.stringify({ event: 'listening', rest: server.restUrl, ws: server.privateWsUrl, keys: keys.length, instruments: venueFile.instruments.map((i) => i.symbol) })}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => {
        process.stdout.write(`${JSON.stringify({ event: 'stopped', signal })}\n`);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`okx-sim: stopping failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  // Configuration mistakes get their message alone; anything else its stack.
  const text = err instanceof PlatformError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? (err as Error).message : String((err as Error).stack ?? err);
  process.stderr.write(`okx-sim: ${text}\n${USAGE}\n`);
  process.exit(2);
});
