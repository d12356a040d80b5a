import { nowNanos } from '@meridian/domain';
import type { Decimal } from '@meridian/domain';
import type { Bus } from '@meridian/bus';
import { RiskBreakerState, RiskEvent, RiskEventType } from '@meridian/proto';
import { CircuitBreaker } from '@meridian/risk-rules';
import type { BreakerCause, BreakerEvent, BreakerView, CircuitBreakerConfig } from '@meridian/risk-rules';
import type { StopLog } from './stop-manager';

const CAUSES: readonly BreakerCause[] = ['LOSS_VELOCITY', 'REJECT_BURST', 'STALE_MARKET_DATA', 'VENUE_DISCONNECTED'];
const NOT_TRIPPED: BreakerView = Object.freeze({ tripped: false, causes: Object.freeze([]) as readonly string[] });

export interface BreakerObserver {
  tripped(cause: BreakerCause): void;
  reset(by: 'cool-down' | 'operator'): void;
  publishFailed(): void;
}

/**
 * The account's circuit breaker (`CircuitBreaker`) made durable: every trip of a cause and every
 * reset is one revision, checkpointed on `ctl.breaker.<account>` (CONTROL, last value: what a
 * restarted risk resumes from) and published as an event on `risk.event.breaker` (RISK: the
 * history the recorder keeps), both with the id `breaker-<account>-<revision>`.
 *
 * The breaker's own state changes at once (the checks read it in the same turn); publishes go
 * through one queue in order, each carrying the whole state, so the checkpoint ends on the last.
 */
export class BreakerManager {
  private readonly breaker: CircuitBreaker;
  private revision = 0n;
  private detail = '';
  private actor = '';
  private changedTsNs = 0n;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly bus: Bus,
    private readonly account: string,
    config: CircuitBreakerConfig,
    private readonly observer: BreakerObserver,
    private readonly log: StopLog,
  ) {
    this.breaker = new CircuitBreaker(config);
  }

  /**
   * Resumes the checkpoint read from `ctl.breaker.<account>` at start, with the rejections replayed
   * from the streams (risk's on ord.rejected, the venues' on exec.*.reject): those since the last
   * reset fill the reject window again, so a burst that tripped it still holds it, and one that
   * began before a kill still counts.
   */
  restore(state: RiskBreakerState | undefined, rejectsMs: readonly number[]): void {
    if (state === undefined) {
      this.breaker.restore({ trippedAtMs: undefined, causes: [] }, rejectsMs);
      return;
    }
    const causes = state.causes.filter((c): c is BreakerCause => (CAUSES as readonly string[]).includes(c));
    if (causes.length !== state.causes.length) this.log.error({ causes: state.causes }, 'breaker checkpoint names unknown causes: they are ignored');
    // A reset forgot every rejection before it.
    const since = state.tripped ? -Infinity : Number(state.tsNs / 1_000_000n);
    this.breaker.restore({ trippedAtMs: state.tripped ? Number(state.trippedTsNs / 1_000_000n) : undefined, causes }, rejectsMs.filter((t) => t > since));
    this.revision = state.revision;
    this.detail = state.detail;
    this.actor = state.actor;
    this.changedTsNs = state.tsNs;
    if (state.tripped) this.log.warn({ causes, since: new Date(Number(state.trippedTsNs / 1_000_000n)).toISOString() }, 'circuit breaker restored tripped');
  }

  get tripped(): boolean {
    return this.breaker.tripped;
  }

  /** What the checks read: one shared object while not tripped, so a decision allocates nothing for it. */
  view(): BreakerView {
    return this.breaker.tripped ? { tripped: true, causes: this.breaker.causes } : NOT_TRIPPED;
  }

  state(): RiskBreakerState {
    const s = this.breaker.snapshot();
    return RiskBreakerState.fromPartial({
      account: this.account,
      tripped: s.trippedAtMs !== undefined,
      causes: s.causes,
      trippedTsNs: s.trippedAtMs === undefined ? 0n : BigInt(s.trippedAtMs) * 1_000_000n,
      revision: this.revision,
      detail: this.detail,
      actor: this.actor,
      tsNs: this.changedTsNs,
    });
  }

  /** A periodic evaluation with the account's equity now (loss velocity, stale data, cool-down). */
  tick(nowMs: number, equity: Decimal): void {
    // A failed publish is logged and counted by the queue; the next transition carries the whole state.
    this.handle(this.breaker.onPnl(equity, nowMs), undefined).catch(() => undefined);
  }

  onReject(nowMs: number): void {
    this.handle(this.breaker.onReject(nowMs), undefined).catch(() => undefined);
  }

  onMarketData(symbol: string, atMs: number): void {
    this.breaker.onMarketData(symbol, atMs);
  }

  /** The operator's reset; resolves once it is checkpointed. Nothing to reset is not an error: the state is returned. */
  async reset(nowMs: number, actor: string, reason: string): Promise<RiskBreakerState> {
    await this.handle(this.breaker.reset(nowMs), { actor, reason });
    return this.state();
  }

  /** Waits for every queued publish. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private handle(events: readonly BreakerEvent[], by: { actor: string; reason: string } | undefined): Promise<void> {
    let last: Promise<void> = Promise.resolve();
    for (const e of events) {
      this.revision += 1n;
      const revision = this.revision;
      const tsNs = BigInt(e.atMs) * 1_000_000n;
      if (e.kind === 'TRIPPED') {
        this.detail = e.detail;
        this.actor = 'breaker';
        this.observer.tripped(e.cause);
        this.log.error({ cause: e.cause, detail: e.detail }, 'circuit breaker tripped: only orders that reduce a position are accepted');
      } else {
        this.detail = e.by === 'operator' ? `reset by ${by?.actor ?? 'operator'}: ${by?.reason ?? ''}` : 'every cause cleared and the cool-down passed';
        this.actor = e.by === 'operator' ? (by?.actor ?? 'operator') : 'cool-down';
        this.observer.reset(e.by);
        this.log.warn({ by: this.actor, detail: this.detail }, 'circuit breaker reset');
      }
      this.changedTsNs = tsNs;
      const state = this.state();
      const id = `breaker-${this.account}-${revision}`;
      const event = RiskEvent.fromPartial({
        eventId: id,
        type: e.kind === 'TRIPPED' ? RiskEventType.RISK_EVENT_TYPE_BREAKER_TRIPPED : RiskEventType.RISK_EVENT_TYPE_BREAKER_RESET,
        account: this.account,
        cause: e.kind === 'TRIPPED' ? e.cause : '',
        detail: this.detail,
        actor: this.actor,
        values: { revision: revision.toString(), tripped: String(state.tripped), causes: state.causes.join(',') },
        tsNs: tsNs > 0n ? tsNs : nowNanos(),
      });
      last = this.enqueue(async () => {
        // The checkpoint carries no message id: a repeat of the same state must stay the last value.
        await this.bus.publish(this.bus.subjects.breaker(this.account), RiskBreakerState, state);
        await this.bus.publish(this.bus.subjects.riskEvent('breaker'), RiskEvent, event, { msgId: id });
      });
    }
    return last;
  }

  /** Queues a publish; the returned promise rejects with its failure, which is logged and counted here. */
  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch((err: unknown) => {
      this.observer.publishFailed();
      this.log.error({ err }, 'circuit breaker checkpoint or event not published');
    });
    return run;
  }
}
