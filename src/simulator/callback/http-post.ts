import http from 'node:http';
import https from 'node:https';

/** What came back from one POST: the status and the body as text, cut at `maxChars`. */
export interface PostAnswer {
  status: number;
  body: string;
}

/** No answer, in full, within the time allowed. */
export class PostTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Idle connections are kept for the next callback, and closed before the account's
 * server would close them (node's default keep-alive is 5 s).
 */
const IDLE_MS = 4_000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: IDLE_MS }),
  'https:': new https.Agent({ keepAlive: true, timeout: IDLE_MS }),
};

/**
 * POSTs a body and reads the answer with node's own HTTP client over kept-alive
 * connections: per callback it costs a fraction of `fetch`, whose streams and promises
 * were the largest share of a simulated exchange. A kept-alive connection the server
 * closed just as it was reused fails before anything was sent back; that POST is made
 * once more on a new connection (no try of the platform's is spent on it).
 */
export async function postText(
  url: string,
  body: string,
  options: { contentType: string; timeoutMs: number; maxChars: number },
): Promise<PostAnswer> {
  try {
    return await postOnce(url, body, options, true);
  } catch (error) {
    if (!(error instanceof StaleConnection)) throw error;
    return postOnce(url, body, options, false);
  }
}

class StaleConnection extends Error {}

function postOnce(
  url: string,
  body: string,
  {
    contentType,
    timeoutMs,
    maxChars,
  }: { contentType: string; timeoutMs: number; maxChars: number },
  reuse: boolean,
): Promise<PostAnswer> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.reject(new Error(`${target.protocol} is not HTTP`));
  const secure = target.protocol === 'https:';
  const client = secure ? https : http;
  const payload = Buffer.from(body, 'utf8');
  return new Promise((resolve, reject) => {
    const request = client.request(target, {
      method: 'POST',
      agent: reuse ? agents[secure ? 'https:' : 'http:'] : false,
      headers: { 'content-type': contentType, 'content-length': payload.length },
    });
    let answered = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new PostTimeout(timeoutMs));
    }, timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (timedOut) return reject(new PostTimeout(timeoutMs));
      const code = (error as NodeJS.ErrnoException).code;
      const stale = !answered && request.reusedSocket && code === 'ECONNRESET';
      reject(stale ? new StaleConnection(error.message) : error);
    };
    request.on('error', fail);
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      let bytes = 0;
      // A UTF-8 character is at most 4 bytes: this many bytes always hold maxChars.
      const enough = maxChars * 4;
      response.on('data', (chunk: Buffer) => {
        if (bytes < enough) chunks.push(chunk);
        bytes += chunk.length;
      });
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text.slice(0, maxChars) });
      });
    });
    request.end(payload);
  });
}
