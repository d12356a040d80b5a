/**
 * Service settings for runs that must trade a lot in a few seconds (the end-to-end tests, the
 * chaos scenarios): a fast, volatile simulator, 100 ms bars and a twitchy momentum strategy, on
 * local ports picked by the system. Not for `npm start`, whose defaults read like a market.
 */
export const FAST_MARKET_ENV: Readonly<Record<string, string>> = {
  HOST: '127.0.0.1',
  HTTP_PORT: '0',
  GRPC_PORT: '0',
  LOG_LEVEL: 'info',
  SIM_EVENT_RATE: '150',
  SIM_STEP_MS: '50',
  SIM_VOLATILITY: '3',
  SNAPSHOT_INTERVAL_MS: '1000',
  BAR_INTERVAL: '100ms',
  BAR_INTERVALS: '100ms,1m',
  BAR_GRACE_MS: '0',
  MOMENTUM_FAST: '3',
  MOMENTUM_SLOW: '8',
  MOMENTUM_VOL: '8',
  ENTRY_THRESHOLD: '0.05',
  INTENT_INTERVAL_MS: '150',
};
