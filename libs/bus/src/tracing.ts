import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Span, TextMapGetter, TextMapSetter } from '@opentelemetry/api';
import type { MsgHdrs } from '@nats-io/nats-core';

const tracer = trace.getTracer('@meridian/bus');

// NATS header keys are matched exactly, so the W3C keys (`traceparent`, `tracestate`) are
// written and read in the propagator's own lower case.
const setter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

const getter: TextMapGetter<MsgHdrs | undefined> = {
  keys(carrier) {
    return carrier ? carrier.keys() : [];
  },
  get(carrier, key) {
    return carrier?.has(key) ? carrier.get(key) : undefined;
  },
};

function attributes(subject: string, template: string, extra: Record<string, string | number> = {}) {
  return {
    'messaging.system': 'nats',
    'messaging.destination.name': subject,
    'messaging.destination.template': template,
    ...extra,
  };
}

/** Starts a PRODUCER span and writes its context into the message headers. */
export function startPublishSpan(subject: string, template: string, headers: MsgHdrs, msgId?: string): Span {
  const span = tracer.startSpan(`send ${template}`, {
    kind: SpanKind.PRODUCER,
    attributes: attributes(subject, template, {
      'messaging.operation.type': 'send',
      ...(msgId ? { 'messaging.message.id': msgId } : {}),
    }),
  });
  propagation.inject(trace.setSpan(context.active(), span), headers, setter);
  return span;
}

/**
 * Runs `fn` inside a CONSUMER span whose parent is the producer's context from the headers,
 * so one trade's path stays one trace across every service; publishes inside `fn` continue it.
 */
export async function withProcessSpan<R>(
  subject: string,
  template: string,
  headers: MsgHdrs | undefined,
  consumer: string,
  fn: () => Promise<R>,
): Promise<R> {
  const parent: Context = propagation.extract(context.active(), headers, getter);
  const span = tracer.startSpan(
    `process ${template}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: attributes(subject, template, {
        'messaging.operation.type': 'process',
        'messaging.consumer.group.name': consumer,
      }),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), fn);
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    throw err;
  } finally {
    span.end();
  }
}

export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
  }
  span.end();
}

/** The W3C trace id carried by a message's headers, if any. */
export function traceIdOf(headers: MsgHdrs | undefined): string | undefined {
  const parent = headers?.has('traceparent') ? headers.get('traceparent') : undefined;
  return parent?.split('-')[1];
}
