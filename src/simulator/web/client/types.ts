/** The control API's JSON, as the phone page reads it (type imports only: nothing of the server is bundled). */

export interface SimUser {
  openid: string;
  nickname: string;
  subscribed: boolean;
  language?: string;
}

export interface Article {
  title: string;
  description?: string;
  url?: string;
  picUrl?: string;
  author?: string;
}

export interface ShownMessage {
  msgtype: string;
  text?: string;
  articles?: Article[];
}

export interface Item {
  id: number;
  openid: string;
  at: string;
  source: 'user' | 'reply' | 'custom' | 'mass' | 'preview' | 'error';
  action?: Record<string, unknown> & { type?: string };
  message?: ShownMessage;
  error?: { kind: string; rule?: string; message: string };
  record?: Record<string, unknown>;
}

/** The exchange record, as the simulator's callback client writes it (types only: erased from the bundle). */
export type { Exchange, Try } from '../../callback/callback-client.ts';

export interface MenuButton {
  name: string;
  type?: string;
  key?: string;
  url?: string;
  sub_button?: MenuButton[];
}

export interface PlatformState {
  account: { appId: string; name: string; originalId: string; encryptMode: string };
  menu: { buttons: MenuButton[]; publishedAt: string } | null;
}

export interface Schedule {
  name: string;
  /** `broadcast` or `digest`. */
  kind: string;
  timeZone: string;
  next: string[];
}
