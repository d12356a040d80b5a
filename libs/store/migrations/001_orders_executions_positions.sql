-- Orders as risk approved them, rejections, every execution event, and positions derived from
-- fills. Money columns are numeric: exact, never float.

CREATE TABLE orders (
  client_order_id   text PRIMARY KEY,
  strategy          text NOT NULL,
  venue             text NOT NULL,
  symbol            text NOT NULL,
  side              text NOT NULL CHECK (side IN ('BUY', 'SELL')),
  order_type        text NOT NULL,
  quantity          numeric NOT NULL CHECK (quantity > 0),
  limit_price       numeric,
  reference_price   numeric,
  notional          numeric NOT NULL,
  status            text NOT NULL,
  filled_quantity   numeric NOT NULL DEFAULT 0,
  fees              numeric NOT NULL DEFAULT 0,
  intent_ts         timestamptz NOT NULL,
  approved_ts       timestamptz NOT NULL,
  updated_ts        timestamptz NOT NULL
);
CREATE INDEX orders_symbol_idx ON orders (symbol, approved_ts);

CREATE TABLE order_rejections (
  client_order_id   text PRIMARY KEY,
  strategy          text NOT NULL,
  symbol            text NOT NULL,
  side              text NOT NULL,
  quantity          numeric NOT NULL,
  reason            text NOT NULL,
  detail            text NOT NULL,
  rejected_ts       timestamptz NOT NULL
);

CREATE TABLE executions (
  execution_id      text PRIMARY KEY,
  client_order_id   text NOT NULL,
  venue_order_id    text NOT NULL,
  kind              text NOT NULL,
  status            text NOT NULL,
  venue             text NOT NULL,
  symbol            text NOT NULL,
  side              text NOT NULL,
  fill_quantity     numeric,
  fill_price        numeric,
  fee               numeric,
  fee_currency      text,
  maker             boolean,
  reason            text,
  ts                timestamptz NOT NULL,
  stream_seq        bigint NOT NULL
);
CREATE INDEX executions_order_idx ON executions (client_order_id);
CREATE INDEX executions_symbol_idx ON executions (symbol, ts);

CREATE TABLE positions (
  symbol            text PRIMARY KEY,
  quantity          numeric NOT NULL,
  cost_basis        numeric NOT NULL,
  average_price     numeric NOT NULL,
  realized_pnl      numeric NOT NULL,
  fees              numeric NOT NULL,
  fill_count        integer NOT NULL,
  bought_quantity   numeric NOT NULL,
  sold_quantity     numeric NOT NULL,
  updated_ts        timestamptz NOT NULL
);
