import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';

export interface Telemetry {
  shutdown(): Promise<void>;
}

/**
 * Starts tracing for a service. Spans are always created (so trace context travels in NATS
 * headers across every hop); they are exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, to the console with `OTEL_TRACES_EXPORTER=console`,
 * and nowhere otherwise. Telemetry that cannot start degrades to nothing; it never stops trading.
 */
/**
 * Where spans go, from the environment the service was given (the exporter would read
 * process.env, which is not it for a service started in process): the traces endpoint as is, or
 * the base endpoint with the signal path, as the OTLP specification says.
 */
function otlpTracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return undefined;
}

export function startTelemetry(service: string, version: string, logger: Logger, env: NodeJS.ProcessEnv = process.env): Telemetry {
  try {
    const processors: SpanProcessor[] = [];
    const exporterKind = env.OTEL_TRACES_EXPORTER ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : 'none');
    if (exporterKind === 'otlp') processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(env) })));
    else if (exporterKind === 'console') processors.push(new BatchSpanProcessor(new ConsoleSpanExporter()));
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? `meridian-${service}`, [ATTR_SERVICE_VERSION]: version }),
      spanProcessors: processors,
    });
    provider.register();
    logger.debug({ exporter: exporterKind }, 'tracing started');
    return {
      shutdown: async () => {
        try {
          await provider.shutdown();
        } catch (err) {
          logger.warn({ err }, 'tracing shutdown failed');
        }
      },
    };
  } catch (err) {
    logger.warn({ err }, 'tracing could not start; continuing without it');
    return { shutdown: async () => {} };
  }
}
