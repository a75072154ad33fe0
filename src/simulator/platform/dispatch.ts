import type { ApiTable, Json } from './api.ts';
import type { createCallLog } from './call-log.ts';
import { PlatformError, failure } from './errcodes.ts';
import type { createFaults } from './faults.ts';
import type { EventSink } from './ports.ts';
import type { createQuotas } from './quotas.ts';
import { maskToken } from './tokens.ts';

/** A call as it came over HTTP, before any check. */
export interface RawCall {
  api: string;
  method: string;
  query: Record<string, string>;
  /** The raw body; empty when there was none. */
  body: Buffer;
  now: Date;
}

/**
 * The order every call goes through, as the platform checks it: is there such an API,
 * is the body JSON, is the token good, is a fault injected, is the day's quota left,
 * does the call need a body; then the API itself. Every answer is recorded.
 */
export function createDispatch({
  apis,
  checkToken,
  faults,
  quotas,
  calls,
  events,
}: {
  apis: ApiTable;
  checkToken(token: string | undefined, now: Date): Promise<void>;
  faults: ReturnType<typeof createFaults>;
  quotas: ReturnType<typeof createQuotas>;
  calls: ReturnType<typeof createCallLog>;
  events: EventSink;
}) {
  return async function dispatch(call: RawCall): Promise<Json> {
    const { api, now, query } = call;
    let body: Json | undefined;
    let answer: Json;
    let reason: string | undefined;
    try {
      const handler = Object.hasOwn(apis, api) ? apis[api] : undefined;
      if (!handler) throw new PlatformError(48001, `the platform has no API named ${api}`);
      const raw = call.body.toString('utf8');
      body = handler.upload ? undefined : parseBody(raw);
      if (handler.token) await checkToken(query.access_token, now);
      const fault = faults.take(api);
      if (fault !== undefined) throw new PlatformError(fault, 'an injected fault');
      await quotas.check(api, now);
      if (handler.body && body === undefined)
        throw new PlatformError(44002, 'the call needs a JSON body and has none');
      answer = await handler.handle({ query, body, raw, now });
      await quotas.count(api, now);
    } catch (error) {
      // A fault of the simulator itself is the platform's "system error", never a 500.
      const refusal =
        error instanceof PlatformError
          ? error
          : new PlatformError(-1, `the simulated platform failed: ${String(error)}`);
      reason = refusal.reason;
      answer = failure(refusal, now);
    }
    const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
    const record = {
      at: now.toISOString(),
      api,
      method: call.method,
      errcode,
      reason,
      token: maskToken(query.access_token),
      request: { query: maskQuery(query), ...(body === undefined ? {} : { body: maskBody(body) }) },
      answer: maskAnswer(answer),
    };
    const id = await calls.record(record);
    events.emit('platform.call', {
      id,
      at: record.at,
      api,
      verdict: errcode === 0 ? 'accepted' : 'refused',
      errcode,
      ...(reason ? { reason } : {}),
    });
    return answer;
  };
}

/** 47001 for a body that is not a JSON object, as the platform answers. */
function parseBody(text: string): Json | undefined {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PlatformError(47001, 'the body is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PlatformError(47001, 'the body is not a JSON object');
  return value as Json;
}

/** The secret and tokens never reach the log whole. */
function maskQuery(query: Record<string, string>): Record<string, string> {
  const masked = { ...query };
  if (masked.access_token) masked.access_token = maskToken(masked.access_token)!;
  if (masked.secret) masked.secret = '***';
  return masked;
}

function maskBody(body: Json): Json {
  return typeof body.secret === 'string' ? { ...body, secret: '***' } : body;
}

function maskAnswer(answer: Json): Json {
  return typeof answer.access_token === 'string'
    ? { ...answer, access_token: maskToken(answer.access_token) }
    : answer;
}
