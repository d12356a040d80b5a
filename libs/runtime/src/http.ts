import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Health } from './health';
import type { Metrics } from './metrics';

export interface HttpOptions {
  service: string;
  health: Health;
  metrics: Metrics;
}

/**
 * The operational HTTP surface every service has: `/healthz` (alive), `/readyz` (ready for
 * traffic, with each check), `/metrics` (Prometheus). Built by a factory so tests use inject().
 */
export function buildHttp(opts: HttpOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  opts.metrics.trackReadiness(opts.health);
  app.get('/healthz', async () => ({ status: 'ok', service: opts.service }));
  app.get('/readyz', async (_req, reply) => {
    const r = opts.health.report();
    return reply.code(r.ready ? 200 : 503).send({ status: r.ready ? 'ready' : 'not ready', service: opts.service, checks: r.checks });
  });
  app.get('/metrics', async (_req, reply) => {
    const body = await opts.metrics.registry.metrics();
    return reply.type(opts.metrics.registry.contentType).send(body);
  });
  return app;
}
