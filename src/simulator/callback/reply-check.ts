import { XMLParser } from 'fast-xml-parser';
import { decodeAesKey, decryptMessage, WechatCryptoError } from '../../wire/crypto.ts';
import { signatureMatches } from '../../wire/signature.ts';
import { parseXml, XmlRefusedError, type XmlFields } from '../../wire/xml-parse.ts';
import type { CallbackTarget } from './target.ts';

/** What the phone shows for a passive reply, in the timeline's message shape. */
export type ShownMessage = Record<string, unknown> & { msgtype: string };

/** The platform's verdict on a reply: shown, nothing to show, or dropped by a rule. */
export type ReplyVerdict =
  | { outcome: 'none' }
  | { outcome: 'shown'; message: ShownMessage; xml: string }
  | { outcome: 'dropped'; rule: string; xml?: string };

export const REPLY_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'music',
  'news',
  'transfer_customer_service',
];
/** A text reply's limit, in bytes of UTF-8. */
export const MAX_REPLY_TEXT_BYTES = 2048;
/** Articles in a news reply: 1 to a user's message, up to 8 to an event. */
export const MESSAGE_ARTICLES = 1;
export const EVENT_ARTICLES = 8;

class Dropped extends Error {}
const drop = (rule: string): never => {
  throw new Dropped(rule);
};

/** Articles are nested, which the flat callback parser leaves out. */
const nested = new XMLParser({
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  ignoreAttributes: true,
  isArray: (name) => name === 'item',
});

/**
 * Checks a passive reply as the platform does before it shows anything: the envelope in
 * safe mode, the swapped names, the type and its limits. A reply that breaks a rule is
 * dropped, the rule said in words.
 */
export function checkReply(
  body: string,
  { target, openid, isEvent }: { target: CallbackTarget; openid: string; isEvent: boolean },
): ReplyVerdict {
  const text = body.trim();
  if (text === '' || text === 'success') return { outcome: 'none' };
  let xml = text;
  try {
    xml = open(text, target);
    const fields = readXml(xml);
    if (fields.ToUserName !== openid)
      drop(`ToUserName must be the user's OpenID ${openid}, not "${fields.ToUserName ?? ''}"`);
    if (fields.FromUserName !== target.originalId)
      drop(
        `FromUserName must be the account's original id ${target.originalId}, not "${fields.FromUserName ?? ''}"`,
      );
    if (!/^\d{1,12}$/.test(fields.CreateTime ?? '')) drop('CreateTime is missing or not a number');
    const type = fields.MsgType ?? '';
    if (!REPLY_TYPES.includes(type))
      drop(`MsgType "${type}" is not one a passive reply may have (${REPLY_TYPES.join(', ')})`);
    return { outcome: 'shown', message: shown(type, fields, xml, isEvent), xml };
  } catch (error) {
    if (error instanceof Dropped) return { outcome: 'dropped', rule: error.message, xml };
    throw error;
  }
}

/** The reply's XML, decrypted where the mode asks for it. */
function open(text: string, target: CallbackTarget): string {
  if (target.encryptMode === 'plain') return text;
  const outer = readXml(text);
  if (outer.Encrypt === undefined) {
    if (target.encryptMode === 'safe') drop('in safe mode a reply must be encrypted (<Encrypt>)');
    return text;
  }
  const { Encrypt: encrypt, MsgSignature: signature, TimeStamp: timestamp, Nonce: nonce } = outer;
  if (!signature || !timestamp || !nonce)
    drop('an encrypted reply needs MsgSignature, TimeStamp and Nonce');
  if (!signatureMatches(signature, [target.token, timestamp!, nonce!, encrypt]))
    drop('MsgSignature does not match the token, TimeStamp, Nonce and Encrypt');
  try {
    const opened = decryptMessage(encrypt, decodeAesKey(target.aesKey ?? ''));
    if (opened.appId !== target.appId)
      drop(`the encrypted reply names AppID "${opened.appId}", not the account's`);
    return opened.message;
  } catch (error) {
    if (error instanceof WechatCryptoError)
      drop(`the encrypted reply does not decrypt: ${error.message}`);
    throw error;
  }
}

function readXml(text: string): XmlFields {
  try {
    return parseXml(text);
  } catch (error) {
    if (error instanceof XmlRefusedError)
      drop(`the reply is not XML the platform reads: ${error.message}`);
    throw error;
  }
}

function shown(type: string, fields: XmlFields, xml: string, isEvent: boolean): ShownMessage {
  if (type === 'text') {
    const content = fields.Content ?? '';
    const bytes = Buffer.byteLength(content);
    if (bytes > MAX_REPLY_TEXT_BYTES)
      drop(`a text reply is at most ${MAX_REPLY_TEXT_BYTES} bytes; this one is ${bytes}`);
    return { msgtype: 'text', text: content };
  }
  if (type === 'news') return { msgtype: 'news', articles: articles(fields, xml, isEvent) };
  return { msgtype: type };
}

function articles(fields: XmlFields, xml: string, isEvent: boolean) {
  const root = (nested.parse(xml) as { xml?: { Articles?: { item?: unknown[] } } }).xml;
  const items = (root?.Articles?.item ?? []).filter(
    (i): i is Record<string, unknown> => typeof i === 'object' && i !== null,
  );
  const max = isEvent ? EVENT_ARTICLES : MESSAGE_ARTICLES;
  const to = isEvent ? 'an event' : "a user's message";
  if (items.length === 0) drop('a news reply has no articles');
  if (items.length > max)
    drop(
      `a news reply to ${to} has at most ${max} article${max === 1 ? '' : 's'}; this one has ${items.length}`,
    );
  if (fields.ArticleCount !== String(items.length))
    drop(
      `ArticleCount ${fields.ArticleCount ?? '(missing)'} does not match the ${items.length} articles`,
    );
  const text = (value: unknown) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null && '#text' in value)
      return String((value as Record<string, unknown>)['#text']);
    return undefined;
  };
  return items.map((item) => ({
    title: text(item.Title) ?? '',
    ...(text(item.Description) !== undefined && { description: text(item.Description) }),
    ...(text(item.Url) !== undefined && { url: text(item.Url) }),
    ...(text(item.PicUrl) !== undefined && { picUrl: text(item.PicUrl) }),
  }));
}
