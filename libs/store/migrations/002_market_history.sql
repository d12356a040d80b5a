-- Market history for training and backtests: bars (upserted by the recorder, keeping the highest
-- revision) and trades. Prices and sizes are numeric (exact, any scale); times are bigint
-- nanoseconds since the epoch, as on the wire: timestamptz keeps only microseconds, and an ns
-- column is one 8-byte key part that sorts and ranges like the time it is. Readable times:
-- to_timestamp(start_ts_ns / 1e9).

CREATE TABLE bars (
  venue             text NOT NULL,
  symbol            text NOT NULL,
  -- The wire token: "1s", "1m", "5m", "1h", "v10", "v0p5".
  interval          text NOT NULL,
  start_ts_ns       bigint NOT NULL,
  end_ts_ns         bigint NOT NULL CHECK (end_ts_ns > start_ts_ns),
  open              numeric NOT NULL,
  high              numeric NOT NULL,
  low               numeric NOT NULL,
  close             numeric NOT NULL,
  volume            numeric NOT NULL CHECK (volume >= 0),
  notional          numeric NOT NULL,
  trade_count       bigint NOT NULL CHECK (trade_count >= 0),
  revision          bigint NOT NULL CHECK (revision >= 0),
  recorded_at       timestamptz NOT NULL DEFAULT now(),
  -- One row per bar; range queries of one series walk this index in time order.
  PRIMARY KEY (venue, symbol, interval, start_ts_ns)
);

CREATE TABLE trades (
  venue             text NOT NULL,
  symbol            text NOT NULL,
  ts_ns             bigint NOT NULL,
  -- The venue's trade id; a source without one must make one up that is unique within ts_ns
  -- (a sequence number), or same-time same-price prints would collapse into one.
  trade_id          text NOT NULL,
  price             numeric NOT NULL CHECK (price > 0),
  size              numeric NOT NULL CHECK (size > 0),
  -- 'BUY', 'SELL', or NULL when the venue does not say.
  aggressor         text CHECK (aggressor IN ('BUY', 'SELL')),
  received_ts_ns    bigint,
  PRIMARY KEY (venue, symbol, ts_ns, trade_id)
);
