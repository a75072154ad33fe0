import type { Clock } from '../../clock/clock.ts';
import { buildXml, type XmlValue } from '../../wire/xml-build.ts';
import { newNonce, signRequest, type SignedRequest } from './envelope.ts';
import { postText, PostTimeout } from './http-post.ts';
import { checkReply, type ReplyVerdict } from './reply-check.ts';
import { CALLBACK_TIMEOUT_MS, CALLBACK_TRIES, type CallbackTarget } from './target.ts';

/** A break on purpose: a bad signature, a replayed request, a wrong AppID. */
export type Break = 'signature' | 'nonce' | 'appid';

/** One POST to the account and what came of it. */
export interface Try {
  query: Record<string, string>;
  request: string;
  signed: SignedRequest['signed'];
  status?: number;
  response?: string;
  latencyMs: number;
  /** Injected delay the platform counted on top of the real latency. */
  injectedDelayMs?: number;
  /** Why this try did not count: no answer, an error status, or an answer after 5 s. */
  failure?: string;
}

/** One message or event delivered to the account: every try, and the platform's verdict. */
export interface Exchange {
  url: string;
  /** The plaintext XML the user's phone sent. */
  xml: string;
  encrypted: boolean;
  tries: Try[];
  break?: Break;
  /** `unavailable` when every try failed; `refused` when a broken request was refused. */
  verdict:
    | ReplyVerdict
    | { outcome: 'unavailable' }
    | { outcome: 'refused'; status?: number; reason: string };
}

/** Delays the platform's view of the next `times` answers by `delayMs`. */
export interface CallbackFault {
  delayMs: number;
  times?: number;
}

const MAX_RESPONSE_CHARS = 64 * 1024;

/**
 * Delivers messages and events to the account's callback as the platform does: signed,
 * encrypted per mode, up to three tries of 5 s with the same message (a retry keeps the
 * MsgId, or FromUserName and CreateTime for an event), then the reply checked.
 *
 * An injected callback delay is not slept: it is added to the measured latency of the next
 * answers, so an answer later than 5 s in the platform's view is treated as timed out and
 * tried again, while the account really does receive each try. Tests stay fast and honest
 * about what the account sees.
 */
export function createCallbackClient({ target, clock }: { target: CallbackTarget; clock: Clock }) {
  let faults: { delayMs: number; left: number }[] = [];

  const takeDelay = (): number | undefined => {
    const fault = faults[0];
    if (!fault) return undefined;
    fault.left -= 1;
    if (fault.left <= 0) faults.shift();
    return fault.delayMs;
  };

  const targetUrl = () => (typeof target.url === 'function' ? target.url() : target.url);

  async function post(signed: SignedRequest): Promise<Try> {
    const url = `${targetUrl()}?${new URLSearchParams(signed.query).toString()}`;
    const injectedDelayMs = takeDelay();
    const started = performance.now();
    const base = { query: signed.query, request: signed.body, signed: signed.signed };
    const extra = injectedDelayMs === undefined ? {} : { injectedDelayMs };
    try {
      const { status, body: response } = await postText(url, signed.body, {
        contentType: 'text/xml; charset=utf-8',
        timeoutMs: CALLBACK_TIMEOUT_MS,
        maxChars: MAX_RESPONSE_CHARS,
      });
      const latencyMs = Math.round(performance.now() - started);
      const seen = { ...base, ...extra, status, response, latencyMs };
      if (latencyMs + (injectedDelayMs ?? 0) > CALLBACK_TIMEOUT_MS)
        return { ...seen, failure: `no answer within ${CALLBACK_TIMEOUT_MS / 1000} s` };
      if (status !== 200) return { ...seen, failure: `the callback answered ${status}` };
      return seen;
    } catch (error) {
      const latencyMs = Math.round(performance.now() - started);
      const timedOut = error instanceof PostTimeout;
      const failure = timedOut
        ? `no answer within ${CALLBACK_TIMEOUT_MS / 1000} s`
        : `the callback could not be reached (${error instanceof Error ? error.message : 'error'})`;
      return { ...base, ...extra, latencyMs, failure };
    }
  }

  return {
    /**
     * Sends one message or event (`fields` without the envelope's names) from `openid`;
     * `createTime` in whole seconds of the virtual clock.
     */
    async deliver(
      openid: string,
      fields: Record<string, XmlValue>,
      options: { isEvent: boolean; break?: Break },
    ): Promise<Exchange> {
      const createTime = Math.floor(clock.now().getTime() / 1000);
      const names = { ToUserName: target.originalId, FromUserName: openid };
      const xml = buildXml({ ...names, CreateTime: createTime, ...fields });
      const sign = () =>
        signRequest(target, names, xml, {
          timestamp: String(Math.floor(clock.now().getTime() / 1000)),
          nonce: newNonce(),
          spoil: options.break === 'nonce' ? undefined : options.break,
        });
      const tries: Try[] = [];
      const head = { url: targetUrl(), xml, ...(options.break && { break: options.break }) };
      if (options.break) {
        // A broken request is sent once (twice, identically, for a replay) and never retried.
        const signed = sign();
        tries.push(await post(signed));
        if (options.break === 'nonce') tries.push(await post(signed));
        const last = tries.at(-1)!;
        const verdict = last.failure
          ? {
              outcome: 'refused' as const,
              ...(last.status && { status: last.status }),
              reason: refusal(last),
            }
          : checkReply(last.response ?? '', { target, openid, isEvent: options.isEvent });
        return { ...head, encrypted: signed.encrypted, tries, verdict };
      }
      let encrypted = false;
      for (let i = 0; i < CALLBACK_TRIES; i++) {
        const signed = sign();
        encrypted = signed.encrypted;
        const done = await post(signed);
        tries.push(done);
        if (!done.failure) {
          const verdict = checkReply(done.response ?? '', {
            target,
            openid,
            isEvent: options.isEvent,
          });
          return { ...head, encrypted, tries, verdict };
        }
      }
      return { ...head, encrypted, tries, verdict: { outcome: 'unavailable' } };
    },
    inject(fault: CallbackFault): void {
      faults.push({ delayMs: fault.delayMs, left: fault.times ?? 1 });
    },
    pendingFaults: () => faults.map((f) => ({ delayMs: f.delayMs, times: f.left })),
    reset(): void {
      faults = [];
    },
  };
}

export type CallbackClient = ReturnType<typeof createCallbackClient>;

function refusal(t: Try): string {
  const said = (t.response ?? '').slice(0, 200);
  return said ? `${t.failure}: ${said}` : (t.failure ?? 'refused');
}
