import type { Request, RequestHandler } from 'express';
import getRawBody from 'raw-body';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { HttpError } from './http-error.ts';

const DECOMPRESS: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Reads a JSON body into `req.body`, at most `limit` bytes once decompressed. Unlike
 * express's `json()`, a body over the limit is not read to its end before the 413: reading
 * stops there and the connection is closed after the answer, so a client cannot make the
 * server swallow an endless chunked body. Every fault of the body (its type, charset,
 * encoding, size, bytes, JSON) is a 4xx naming it. No body at all leaves `req.body` unset.
 */
export function jsonBody({ limit }: { limit: number }): RequestHandler {
  return async (req, res, next) => {
    if (!hasBody(req)) return next();
    if (!req.is('application/json'))
      throw new HttpError(415, 'content-type must be application/json');
    const charset = /;\s*charset=("?)([^";]+)\1/i.exec(req.get('content-type') ?? '')?.[2];
    if (charset && !/^utf-?8$/i.test(charset))
      throw new HttpError(415, 'unsupported charset; send UTF-8');
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    const decompress = DECOMPRESS[encoding];
    if (encoding !== 'identity' && !decompress)
      throw new HttpError(
        415,
        `content encoding ${encoding.slice(0, 40)} is not accepted (send identity, gzip, deflate or br)`,
      );
    const text = await read(req, decompress, limit).catch((error: unknown) => {
      // What is left of the body is never read: the connection goes once this is answered.
      res.set('Connection', 'close');
      res.once('finish', () => req.destroy());
      throw refusal(error, encoding, limit);
    });
    try {
      req.body = JSON.parse(text) as unknown;
    } catch {
      throw new HttpError(400, 'request body is not valid JSON');
    }
    next();
  };
}

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return req.get('transfer-encoding') !== undefined || (length !== undefined && length !== '0');
}

async function read(
  req: Request,
  decompress: (() => NodeJS.ReadWriteStream) | undefined,
  limit: number,
): Promise<string> {
  if (!decompress)
    return getRawBody(req, { limit, length: req.get('content-length'), encoding: 'utf8' });
  const stream = decompress();
  req.pipe(stream);
  try {
    return await getRawBody(stream as unknown as Readable, { limit, encoding: 'utf8' });
  } finally {
    req.unpipe(stream);
    (stream as unknown as Readable).destroy();
  }
}

/** A read failure in words: raw-body's typed errors, or the decompressor's. */
function refusal(error: unknown, encoding: string, limit: number): HttpError {
  const type = (error as { type?: unknown }).type;
  if (type === 'entity.too.large')
    return new HttpError(413, `request body is larger than ${Math.round(limit / 1024)} KiB`);
  if (type === 'request.size.invalid')
    return new HttpError(400, 'request body is shorter or longer than its Content-Length');
  if (type === 'request.aborted') return new HttpError(400, 'request aborted');
  if (type === 'encoding.unsupported') return new HttpError(415, 'unsupported charset; send UTF-8');
  if (encoding !== 'identity')
    return new HttpError(400, `request body is not valid ${encoding} data (Content-Encoding)`);
  return new HttpError(400, 'request body could not be read', { cause: error });
}
