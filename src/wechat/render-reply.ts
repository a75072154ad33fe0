import { truncateUtf8 } from '../engine/reply-limits.ts';
import { MAX_ARTICLES, type Article, type Reply } from '../engine/types.ts';
import { encryptMessage } from '../wire/crypto.ts';
import { signParts } from '../wire/signature.ts';

/**
 * The platform's article limits: a passive news reply to a user's message carries 1
 * article, to an event up to 8; a customer-service news message carries 1.
 */
export const MESSAGE_REPLY_ARTICLES = 1;
export const EVENT_REPLY_ARTICLES = MAX_ARTICLES;
export const CUSTOMER_SERVICE_ARTICLES = 1;

/** What one callback answers: one passive message, and the rest to send as customer-service messages. */
export interface ReplyPlan {
  passive?: Reply;
  followUps: Reply[];
}

/**
 * Splits the engine's replies into what fits one passive reply and what follows. Cards
 * beyond a message's limit become a text list of their titles and links, which reads
 * better than losing them. Without a way to send follow-ups (no API client configured),
 * everything folds into the passive reply: one card stays a card, more become one text.
 */
export function planReplies(
  replies: Reply[],
  { isMessage, canFollowUp }: { isMessage: boolean; canFollowUp: boolean },
): ReplyPlan {
  const [first, ...rest] = replies;
  if (!first) return { followUps: [] };
  const firstParts = fitArticles(first, isMessage ? MESSAGE_REPLY_ARTICLES : EVENT_REPLY_ARTICLES);
  const followUps = [
    ...firstParts.slice(1),
    ...rest.flatMap((reply) => fitArticles(reply, CUSTOMER_SERVICE_ARTICLES)),
  ];
  if (followUps.length === 0 || canFollowUp) return { passive: firstParts[0], followUps };
  return {
    passive: { type: 'text', text: truncateUtf8(replies.map(asText).join('\n\n')) },
    followUps: [],
  };
}

/** Replies as customer-service messages: each within the 1-article limit. */
export function customerServiceMessages(replies: Reply[]): Reply[] {
  return replies.flatMap((reply) => fitArticles(reply, CUSTOMER_SERVICE_ARTICLES));
}

function fitArticles(reply: Reply, max: number): Reply[] {
  if (reply.type === 'text' || reply.articles.length <= max) return [reply];
  return [
    { type: 'articles', articles: reply.articles.slice(0, max) },
    { type: 'text', text: truncateUtf8(listArticles(reply.articles.slice(max))) },
  ];
}

/** A reply as plain text: article cards become numbered titles with their links. */
export function asText(reply: Reply): string {
  return reply.type === 'text' ? reply.text : listArticles(reply.articles);
}

function listArticles(articles: Article[]): string {
  return articles.map((a, i) => `${i + 1}. ${a.title}\n${a.url}`).join('\n');
}

/** A CDATA section; `]]>` inside the text is split across two sections, the only way to carry it. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * The passive reply XML: sender and recipient swapped, CreateTime in seconds. Text is cut
 * at 2048 bytes on a character boundary.
 */
export function renderPassive(
  reply: Reply,
  { user, account, now }: { user: string; account: string; now: Date },
): string {
  const head =
    `<xml><ToUserName>${cdata(user)}</ToUserName><FromUserName>${cdata(account)}</FromUserName>` +
    `<CreateTime>${Math.floor(now.getTime() / 1000)}</CreateTime>`;
  if (reply.type === 'text')
    return `${head}<MsgType><![CDATA[text]]></MsgType><Content>${cdata(truncateUtf8(reply.text))}</Content></xml>`;
  const items = reply.articles
    .map(
      (a) =>
        `<item><Title>${cdata(a.title)}</Title><Description>${cdata(a.description)}</Description>` +
        `<PicUrl>${cdata(a.picUrl)}</PicUrl><Url>${cdata(a.url)}</Url></item>`,
    )
    .join('');
  return `${head}<MsgType><![CDATA[news]]></MsgType><ArticleCount>${reply.articles.length}</ArticleCount><Articles>${items}</Articles></xml>`;
}

/**
 * A reply in safe or compatible mode: the plaintext XML encrypted and wrapped with its
 * `msg_signature` over token, timestamp, nonce and the ciphertext.
 */
export function renderEncrypted(
  xml: string,
  {
    token,
    appId,
    key,
    nonce,
    now,
  }: { token: string; appId: string; key: Buffer; nonce: string; now: Date },
): string {
  const encrypted = encryptMessage(xml, appId, key);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const signature = signParts([token, timestamp, nonce, encrypted]);
  return (
    `<xml><Encrypt>${cdata(encrypted)}</Encrypt><MsgSignature>${cdata(signature)}</MsgSignature>` +
    `<TimeStamp>${timestamp}</TimeStamp><Nonce>${cdata(nonce)}</Nonce></xml>`
  );
}
