import { PlatformError } from './errcodes.ts';

export type Json = Record<string, unknown>;

/** One call to a platform API, parsed and with its token already checked. */
export interface ApiRequest {
  query: Record<string, string>;
  /** The JSON body, or undefined when there was none. */
  body: Json | undefined;
  /** The body as it came, for the checks the platform makes on the text itself. */
  raw: string;
  now: Date;
}

/** One `/cgi-bin/<name>` API. */
export interface ApiHandler {
  /** False only for the calls that hand tokens out. */
  token: boolean;
  /** Calls whose parameters come in a JSON body answer 44002 without one. */
  body?: boolean;
  /** A file upload (multipart): the body is not JSON and is left to the handler. */
  upload?: boolean;
  handle(request: ApiRequest): Json | Promise<Json>;
}

export type ApiTable = Record<string, ApiHandler>;

export const OK: Readonly<Json> = Object.freeze({ errcode: 0, errmsg: 'ok' });

/** The body of a call that needs one (checked before `handle`). */
export function bodyOf(request: ApiRequest): Json {
  return request.body ?? {};
}

/** A field that must be an object, else the request is malformed (47001). */
export function objectField(body: Json, key: string): Json {
  const value = body[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PlatformError(47001, `"${key}" must be an object`);
  return value as Json;
}

/** A field that must be a string when present (47001 otherwise). */
export function optionalString(body: Json, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new PlatformError(47001, `"${key}" must be a string`);
  return value;
}

/** A field that must be an integer (numbers in strings too, as the platform takes them). */
export function integerField(body: Json, key: string, errcode = 47001): number {
  const value = body[key];
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number))
    throw new PlatformError(errcode, `"${key}" must be an integer`);
  return number;
}

export const bytes = (text: string) => Buffer.byteLength(text);

/** Whole seconds since the epoch: the platform's timestamps. */
export const seconds = (date: Date) => Math.floor(date.getTime() / 1000);
