import type { ErrorRequestHandler, Express, Request, Response } from 'express';
import getRawBody from 'raw-body';
import type { Engine } from '../engine/engine.ts';
import type { Reply } from '../engine/types.ts';
import type { Logger } from '../log/logger.ts';
import type { WechatApiClient } from './api-client.ts';
import type { CallbackDedup, SeenCallback } from './callback-dedup.ts';
import { describe } from '../postgres/database.ts';
import { decryptMessage, WechatCryptoError } from '../wire/crypto.ts';
import {
  customerServiceMessages,
  planReplies,
  renderEncrypted,
  renderPassive,
} from './render-reply.ts';
import { replyBudget } from './reply-budget.ts';
import { signatureMatches } from '../wire/signature.ts';
import {
  CallbackFieldError,
  toCallback,
  type Callback,
  type MassSendReport,
} from './to-inbound.ts';
import { parseXml, XmlRefusedError } from '../wire/xml-parse.ts';

export const CALLBACK_PATH = '/wechat';
export const MAX_CALLBACK_BYTES = 64 * 1024;
/** The platform's nonces are short digit strings; a long one is not the platform's. */
const MAX_NONCE_CHARS = 64;
/** The body that tells the platform "received, no reply" (an empty body works too). */
export const NO_REPLY = 'success';

/** How the callback checks and decrypts; built once from the configuration. */
export interface CallbackSettings {
  token: string;
  mode: 'plain' | 'compat' | 'safe';
  appId?: string;
  /** AES keys, current first, then the previous one during a key rotation. */
  aesKeys: Buffer[];
  maxClockSkewS: number;
  replyBudgetMs: number;
}

export interface CallbackOptions {
  engine: Pick<Engine, 'handle'>;
  dedup: CallbackDedup;
  settings: CallbackSettings;
  /** Sends follow-ups and late replies; without it they fold into the reply or are dropped. */
  client?: Pick<WechatApiClient, 'sendCustom'>;
  log: Logger;
  now?: () => Date;
  /** A mass send's final report (`MASSSENDJOBFINISH`); the broadcast records take it. */
  onMassSendFinished?: (report: MassSendReport) => void | Promise<void>;
}

/**
 * A refused callback: the status, and the short reason answered and logged. The callback's
 * own error (not the HTTP layer's): the WeChat adapter sits beside the HTTP app, not on it.
 */
export class Refused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'Refused';
  }
}

type Query = Record<string, unknown>;
const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Mounts the callback routes on an app; the app calls it where `/wechat` belongs in its order. */
export type MountCallback = (app: Express) => void;

/**
 * `GET /wechat` (URL verification) and `POST /wechat` (messages and events), the
 * Official Account callback protocol in plaintext, compatible and safe mode. The routes
 * sit on the app itself, not in a nested router: at the platform's rates the extra
 * routing layer was a measurable share of a callback.
 */
export function wechatCallbackRoutes({
  engine,
  dedup,
  settings,
  client,
  log,
  now = () => new Date(),
  onMassSendFinished = (report) => log.info({ report }, 'mass send finished'),
}: CallbackOptions): MountCallback {
  const { token, mode, appId, aesKeys, maxClockSkewS, replyBudgetMs } = settings;
  /** The engine's replies, or undefined when the budget ran out first. */
  const withinBudget = replyBudget(replyBudgetMs);

  /** The query's `signature` over token, timestamp and nonce, and a timestamp near our clock. */
  const verifyQuery = (query: Query) => {
    const timestamp = str(query.timestamp);
    const nonce = str(query.nonce);
    if (timestamp === undefined || nonce === undefined)
      throw new Refused(401, 'timestamp and nonce are required');
    // The platform's timestamp is whole seconds: 10 digits until the year 2286.
    if (!/^\d{1,10}$/.test(timestamp))
      throw new Refused(400, 'timestamp must be whole seconds since 1970 (1 to 10 digits)');
    if (nonce.length > MAX_NONCE_CHARS)
      throw new Refused(400, `nonce must be at most ${MAX_NONCE_CHARS} characters`);
    if (!signatureMatches(str(query.signature), [token, timestamp, nonce]))
      throw new Refused(401, 'signature does not match');
    const skew = Math.abs(now().getTime() / 1000 - Number(timestamp));
    if (skew > maxClockSkewS)
      throw new Refused(401, `timestamp is more than ${maxClockSkewS} s off the clock`);
    return { timestamp, nonce };
  };

  const verifyUrl = (req: Request, res: Response) => {
    verifyQuery(req.query);
    const echostr = str(req.query.echostr);
    if (!echostr) throw new Refused(400, 'echostr is required');
    res.type('text/plain').send(echostr);
  };

  const receive = async (req: Request, res: Response) => {
    // Before the body is read: a forged request costs a hash, not a read and a parse.
    const { nonce } = verifyQuery(req.query);
    const { fields, key } = openBody(req, await readBody(req));
    let callback: Callback;
    try {
      callback = toCallback(fields);
    } catch (error) {
      if (error instanceof CallbackFieldError) throw new Refused(400, error.message);
      throw error;
    }
    const { xml, followUps } = await answer(callback);
    // res.end, not res.send: no ETag to hash for a reply that is never cached.
    if (xml === undefined) res.setHeader('Content-Type', 'text/plain; charset=utf-8').end(NO_REPLY);
    else
      res
        .setHeader('Content-Type', 'application/xml; charset=utf-8')
        .end(key ? renderEncrypted(xml, { token, appId: appId!, key, nonce, now: now() }) : xml);
    if (followUps.length) void deliver(callback.user, followUps, 'follow-up');
  };

  /**
   * The body as text, at most 64 KiB (the declared length is checked before a byte is
   * read). The platform sends UTF-8 XML, never compressed.
   */
  async function readBody(req: Request): Promise<string> {
    const encoding = req.headers['content-encoding'];
    if (encoding && encoding !== 'identity')
      throw new Refused(415, `content encoding ${encoding.slice(0, 40)} is not accepted`);
    const body = await getRawBody(req, {
      limit: MAX_CALLBACK_BYTES,
      length: req.headers['content-length'],
    });
    return body.toString('utf8');
  }

  /** The callback's fields, decrypted in safe and compatible mode; the key that opened them. */
  function openBody(
    req: Request,
    body: string,
  ): { fields: ReturnType<typeof parseXml>; key?: Buffer } {
    if (!body) throw new Refused(400, 'request body is empty');
    const encrypted = req.query.encrypt_type === 'aes';
    if (encrypted && mode === 'plain')
      throw new Refused(400, 'encrypted callback, but WECHAT_ENCRYPT_MODE is plain');
    if (!encrypted && mode === 'safe')
      throw new Refused(400, 'plaintext callback refused in safe mode');
    const outer = parseOrRefuse(body);
    if (!encrypted) return { fields: outer };

    const ciphertext = outer.Encrypt;
    if (!ciphertext) throw new Refused(400, 'Encrypt is missing');
    const { timestamp, nonce } = req.query as Record<string, string>;
    if (!signatureMatches(str(req.query.msg_signature), [token, timestamp!, nonce!, ciphertext]))
      throw new Refused(401, 'msg_signature does not match');
    let wrongApp = false;
    for (const key of aesKeys) {
      try {
        const opened = decryptMessage(ciphertext, key);
        if (opened.appId === appId) return { fields: parseOrRefuse(opened.message), key };
        wrongApp = true;
      } catch (error) {
        if (!(error instanceof WechatCryptoError)) throw error;
      }
    }
    throw new Refused(
      400,
      wrongApp ? 'message is for another appid' : 'ciphertext does not decrypt',
    );
  }

  function parseOrRefuse(xml: string) {
    try {
      return parseXml(xml);
    } catch (error) {
      if (error instanceof XmlRefusedError) throw new Refused(400, error.message);
      throw error;
    }
  }

  type Answer = { xml?: string; followUps: Reply[] };
  const none: Answer = { followUps: [] };
  /** Callbacks being answered in this process: a duplicate waits for the first try's answer. */
  const inflight = new Map<string, Promise<Answer>>();

  /** Answers a callback once: a retry gets what the first try answered, follow-ups aside. */
  async function answer(callback: Callback): Promise<Answer> {
    if (callback.type === 'unknown') {
      log.info({ what: callback.what }, 'wechat callback of a type this account does not handle');
      return none;
    }
    const key = callback.dedupKey;
    const seen = inflight.has(key) ? undefined : await dedup.seen(key);
    if (seen) {
      log.debug({ key, state: seen.state }, 'wechat retry of a callback already answered');
      return seen.state === 'replied' ? { xml: seen.reply, followUps: [] } : none;
    }
    // Checked after the lookup: a duplicate that arrived meanwhile may have started it.
    const running = inflight.get(key);
    if (running) return { xml: (await running).xml, followUps: [] };
    const first = answerFirst(callback);
    inflight.set(key, first);
    try {
      return await first;
    } finally {
      inflight.delete(key);
    }
  }

  /**
   * The engine has `replyBudgetMs`; past it the platform is told `success` and the reply
   * follows as a customer-service message. The answer is recorded as it is sent; an
   * engine failure records nothing, so the platform's retry gets another go.
   */
  async function answerFirst(
    callback: Callback & { type: 'inbound' | 'mass-send-report' },
  ): Promise<Answer> {
    const key = callback.dedupKey;
    if (callback.type === 'mass-send-report') {
      await onMassSendFinished(callback.report);
      await remember(key, { state: 'replied', reply: undefined });
      return none;
    }
    const work = engine.handle(callback.inbound);
    const replies = await withinBudget(work);
    if (replies === undefined) {
      await remember(key, { state: 'deferred' });
      log.warn(
        { key, budgetMs: replyBudgetMs },
        'reply missed the deadline; it follows as a customer-service message',
      );
      void work.then(
        (late) => deliver(callback.user, customerServiceMessages(late), 'late reply'),
        (error: unknown) => log.error({ err: error, key }, 'engine failed after the deadline'),
      );
      return none;
    }
    const plan = planReplies(replies, {
      isMessage: callback.isMessage,
      canFollowUp: client !== undefined,
    });
    const xml =
      plan.passive &&
      renderPassive(plan.passive, { user: callback.user, account: callback.account, now: now() });
    await remember(key, { state: 'replied', reply: xml });
    return { xml, followUps: plan.followUps };
  }

  /**
   * Records an answer before it leaves, so that a retry at any instance finds it. A record
   * that cannot be written is logged, and the answer still goes: a retry would then run
   * the engine again, better than the user getting nothing.
   */
  async function remember(key: string, seen: SeenCallback): Promise<void> {
    try {
      await dedup.record(key, seen, now());
    } catch (error) {
      log.error({ err: describe(error), key }, 'could not record a wechat callback answer');
    }
  }

  /** Sends replies in order as customer-service messages; failures are logged, never thrown. */
  async function deliver(user: string, replies: Reply[], what: string): Promise<void> {
    if (replies.length === 0) return;
    if (!client) {
      log.warn(
        { user, what, count: replies.length },
        'no WeChat API client configured (WECHAT_APPID, WECHAT_APPSECRET); reply dropped',
      );
      return;
    }
    for (const reply of replies) {
      try {
        await client.sendCustom(user, reply);
      } catch (error) {
        log.warn({ err: error, user, what }, 'customer-service message failed');
        return;
      }
    }
  }

  /** Refusals answer a short text, not the app's JSON, and are logged once with the reason. */
  const refuse: ErrorRequestHandler = (error: unknown, req, res, next) => {
    const bodyError = error as { type?: string };
    let status: number;
    let reason: string;
    if (error instanceof Refused) [status, reason] = [error.status, error.message];
    else if (bodyError.type === 'entity.too.large')
      [status, reason] = [413, `request body is larger than ${MAX_CALLBACK_BYTES / 1024} KiB`];
    else if (typeof bodyError.type === 'string' && bodyError.type !== 'stream.encoding.set')
      [status, reason] = [400, `unreadable request body (${bodyError.type})`];
    else return next(error);
    log.warn({ status, reason, method: req.method, ip: req.ip }, 'wechat callback refused');
    if (!res.headersSent) res.status(status).type('text/plain').send(reason);
  };
  return (app) => {
    app.get(CALLBACK_PATH, verifyUrl);
    app.post(CALLBACK_PATH, receive);
    app.use(CALLBACK_PATH, refuse);
  };
}
