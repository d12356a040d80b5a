import { NATS_ROLES, Subjects, Topology, natsAuthorizationConfig, natsPermissions } from '../src';

/** NATS subject matching: `*` one token, `>` the rest (at least one token). */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
const allowed = (patterns: string[], subject: string) => patterns.some((p) => matches(p, subject));

const topology = new Topology(new Subjects('ns1'));
const s = topology.subjects;

describe('NATS permissions per role', () => {
  it('let only risk publish approved orders and rejections', () => {
    for (const role of NATS_ROLES) {
      const { publish } = natsPermissions(topology, role);
      expect({ role, approved: allowed(publish, s.approved('paper', 'BTC-USDT')), rejected: allowed(publish, s.rejected('BTC-USDT')) }).toEqual({
        role,
        approved: role === 'risk',
        rejected: role === 'risk',
      });
    }
  });

  it('give each stream subject one writer (BBO: ingestion and the order book)', () => {
    const writers = (subject: string) => NATS_ROLES.filter((r) => r !== 'bootstrap' && allowed(natsPermissions(topology, r).publish, subject));
    // Risk writes the closing intents of triggered stops and execution the orders it is given
    // (gRPC, algorithms); risk's intent consumer checks them all.
    expect(writers(s.intent('BTC-USDT'))).toEqual(['coordinator', 'risk', 'execution']);
    expect(writers(s.execution('paper', 'BTC-USDT', 'fill'))).toEqual(['execution']);
    expect(writers(s.signal('momentum', 'BTC-USDT'))).toEqual(['inference']);
    expect(writers(s.marketData('sim', 'BTC-USDT', 'trades'))).toEqual(['ingestion']);
    expect(writers(s.marketData('sim', 'BTC-USDT', 'bbo'))).toEqual(['ingestion', 'order-book']);
    expect(writers(s.bookSnapshot('sim', 'BTC-USDT'))).toEqual(['order-book']);
    expect(writers(s.killSwitch('global'))).toEqual(['risk']);
    // Risk writes its own configuration (limits changes), and no other service's.
    expect(writers(s.config('risk'))).toEqual(['risk']);
    // Inference writes its own (the active model versions), which its replicas follow.
    expect(writers(s.config('inference'))).toEqual(['inference']);
    for (const service of ['execution', 'coordinator', 'recorder']) expect(writers(s.config(service))).toEqual([]);
    // Risk alone writes its checkpoints (stops, circuit breaker), equity curve and events.
    expect(writers(s.stop('BTC-USDT'))).toEqual(['risk']);
    expect(writers(s.breaker('main'))).toEqual(['risk']);
    expect(writers(s.riskEquity('main'))).toEqual(['risk']);
    expect(writers(s.riskEvent('breaker'))).toEqual(['risk']);
    expect(writers(s.riskEvent('stop'))).toEqual(['risk']);
  });

  it("let no service change the topology or use another namespace's streams", () => {
    for (const role of NATS_ROLES.filter((r) => r !== 'bootstrap')) {
      const { publish, subscribe } = natsPermissions(topology, role);
      for (const api of ['$JS.API.STREAM.CREATE.ns1_ORDERS', '$JS.API.STREAM.DELETE.ns1_ORDERS', '$JS.API.STREAM.UPDATE.ns1_ORDERS', '$JS.API.STREAM.PURGE.ns1_ORDERS', '$JS.API.CONSUMER.MSG.NEXT.ORDERS.risk-intent-BTC-USDT']) {
        expect({ role, api, allowed: allowed(publish, api) }).toEqual({ role, api, allowed: false });
      }
      expect(subscribe).toEqual([`_INBOX_${role}.>`]);
      // Everything but the account info names this namespace's subjects or streams.
      expect(publish.filter((p) => p !== '$JS.API.INFO' && !p.includes('ns1'))).toEqual([]);
    }
    // The recorder writes nothing to any stream.
    expect(natsPermissions(topology, 'recorder').publish.filter((p) => !p.startsWith('$JS.'))).toEqual([]);
    // It reads every stream its durables are on (CONTROL: the audit of risk limit changes; RISK: the equity curve and events).
    const recorder = natsPermissions(topology, 'recorder').publish;
    for (const d of topology.durables('recorder', { symbols: ['BTC-USDT'], venues: ['paper'] })) {
      expect({ d: d.config.durable_name, allowed: allowed(recorder, `$JS.API.CONSUMER.MSG.NEXT.${d.stream}.${d.config.durable_name}`) }).toEqual({ d: d.config.durable_name, allowed: true });
    }
  });

  it('write a nats-server authorization block, with $VAR passwords left for the server to resolve', () => {
    const text = natsAuthorizationConfig(topology, [
      { role: 'risk', user: 'meridian-risk', password: '$RISK_PASSWORD' },
      { role: 'recorder', user: 'meridian-recorder', password: 'literal "quoted"' },
    ]);
    expect(text).toContain('user: "meridian-risk"\n      password: $RISK_PASSWORD');
    expect(text).toContain('password: "literal \\"quoted\\""');
    expect(text).toContain(
      'publish: { allow: ["ns1.ord.approved.>", "ns1.ord.rejected.>", "ns1.ctl.killswitch.>", "ns1.ctl.config.risk", "ns1.ctl.stop.*", "ns1.ctl.breaker.*", "ns1.risk.>", "ns1.ord.intent.*", "$JS.API.INFO"',
    );
  });
});
