import { connect } from '@nats-io/transport-node';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { Metadata, credentials } from '@grpc/grpc-js';
import { BookUpdateBatch, RiskServiceClient, TradeBatch } from '@meridian/proto';
import type { Position } from '@meridian/proto';
import { Subjects } from '@meridian/bus';
import { Decimal } from '@meridian/domain';

interface Counts {
  marketEvents: number;
  intents: number;
  approved: number;
  rejected: number;
  fills: number;
}

/**
 * Watches the platform from outside for the status line: counts subjects with plain NATS
 * subscriptions (no JetStream state) and asks risk for positions over gRPC.
 */
export class StatusMonitor {
  private readonly counts: Counts = { marketEvents: 0, intents: 0, approved: 0, rejected: 0, fills: 0 };
  private lastMarketEvents = 0;
  private lastAt = Date.now();
  private readonly subs: Subscription[] = [];
  private risk: RiskServiceClient | undefined;

  private constructor(private readonly nc: NatsConnection) {}

  static async start(natsUrl: string, namespace: string): Promise<StatusMonitor> {
    const m = new StatusMonitor(await connect({ servers: natsUrl, name: 'meridian-status' }));
    const s = new Subjects(namespace);
    const count = (subject: string, key: keyof Counts) => {
      m.subs.push(m.nc.subscribe(subject, { callback: () => void (m.counts[key] += 1) }));
    };
    // Market events, not messages: ingestion batches them, and BBO and bars are derived.
    m.subs.push(
      m.nc.subscribe(s.marketAll(), {
        callback: (err, msg) => {
          if (err) return;
          try {
            if (msg.subject.endsWith('.trades')) m.counts.marketEvents += TradeBatch.decode(msg.data).trades.length;
            else if (msg.subject.endsWith('.book')) m.counts.marketEvents += BookUpdateBatch.decode(msg.data).updates.length;
          } catch {
            // An undecodable message is the consumers' to count (meridian_bus_rejected_messages_total); the status line only skips it.
          }
        },
      }),
    );
    count(s.intentsAll(), 'intents');
    count(s.approvedAll(), 'approved');
    count(s.rejectedAll(), 'rejected');
    count(s.fillsAll(), 'fills');
    return m;
  }

  connectRisk(grpcPort: number): void {
    this.risk = new RiskServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
  }

  private positions(): Promise<Position[]> {
    const risk = this.risk;
    if (!risk) return Promise.resolve([]);
    return new Promise((resolve) => {
      risk.getPositions({ symbol: '' }, new Metadata(), { deadline: Date.now() + 1_000 }, (err, res) => resolve(err ? [] : res.positions));
    });
  }

  /** One status line: market events per second, order flow, and position and P&L per symbol. */
  async line(): Promise<string> {
    const now = Date.now();
    const rate = ((this.counts.marketEvents - this.lastMarketEvents) * 1000) / Math.max(1, now - this.lastAt);
    this.lastMarketEvents = this.counts.marketEvents;
    this.lastAt = now;
    const c = this.counts;
    const parts = [`md ${rate.toFixed(0)} ev/s`, `intents ${c.intents} approved ${c.approved} rejected ${c.rejected} fills ${c.fills}`];
    for (const p of await this.positions()) {
      const show = (v: string) => (v === '' ? '-' : Decimal.parse(v).toFixed(2));
      const net = p.unrealizedPnl === '' ? '-' : Decimal.parse(p.realizedPnl).add(p.unrealizedPnl).sub(p.fees).toFixed(2);
      parts.push(`${p.symbol} pos ${p.quantity} rpnl ${show(p.realizedPnl)} upnl ${show(p.unrealizedPnl)} fees ${show(p.fees)} net ${net}`);
    }
    return parts.join(' | ');
  }

  async stop(): Promise<void> {
    this.risk?.close();
    for (const s of this.subs) s.unsubscribe();
    await this.nc.close();
  }
}
