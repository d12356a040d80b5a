import { basename } from 'node:path';
import { parseSymbol } from '@meridian/domain';
import type { MarketFeed } from '../types';
import { LobsterReplayFeed } from './lobster-feed';
import { openRecordedReplay, summariseRecording } from './recorded-feed';

export interface ReplayOptions {
  /** 1 = recorded pace, 10 = ten times faster, 0 = as fast as possible. */
  readonly speed: number;
  readonly onWarning?: (message: string) => void;
}

/** LOBSTER message files are named `<TICKER>_<date>_<start>_<end>_message_<levels>.csv`. */
export function isLobsterMessageFile(path: string): boolean {
  return /_message_\d+/.test(basename(path));
}

/** `MARKET_SOURCE=replay:<file>`: a LOBSTER message file, or a recording of raw venue frames. */
export async function openReplayFeed(path: string, options: ReplayOptions): Promise<MarketFeed> {
  if (isLobsterMessageFile(path)) return new LobsterReplayFeed(path, { speed: options.speed });
  return openRecordedReplay(path, options);
}

/** The venue and platform symbols a replay will publish, without starting it (for `npm start --source replay:…`). */
export async function describeReplay(path: string, onWarning?: (message: string) => void): Promise<{ venue: string; symbols: string[] }> {
  if (isLobsterMessageFile(path)) {
    const feed = new LobsterReplayFeed(path, { speed: 0 });
    return { venue: feed.venue, symbols: [...feed.symbols] };
  }
  const summary = await summariseRecording(path, onWarning);
  return { venue: summary.venueId, symbols: summary.instruments.map((id) => parseSymbol(id)) };
}
