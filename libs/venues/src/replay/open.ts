import { basename } from 'node:path';
import type { MarketFeed } from '../types';
import { LobsterReplayFeed } from './lobster-feed';
import { openRecordedReplay } from './recorded-feed';

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
