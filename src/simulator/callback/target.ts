/** The account the simulated platform calls back, as its developer settings say. */
export interface CallbackTarget {
  /** The callback URL, e.g. `http://127.0.0.1:3000/wechat`; a function when known only later. */
  url: string | (() => string);
  token: string;
  appId: string;
  /** The 43-character EncodingAESKey; required for compat and safe mode. */
  aesKey?: string;
  encryptMode: 'plain' | 'compat' | 'safe';
  /** The account's original id (`gh_` + 12 hex), the `ToUserName` of every callback. */
  originalId: string;
}

/** The platform's answer to a user when the account cannot be reached. */
export const UNAVAILABLE_TEXT = '该公众号暂时无法提供服务，请稍后再试';
/** The platform waits this long for an answer, then tries again. */
export const CALLBACK_TIMEOUT_MS = 5000;
/** Tries in all for one message or event. */
export const CALLBACK_TRIES = 3;
