import { describe, expect, it } from 'vitest';
import { listenProblem } from '../../src/http/listen-error.ts';

const AT = { port: 3000, host: 'example.invalid' };
const fault = (code: string) => Object.assign(new Error(code), { code });

describe('listenProblem', () => {
  it.each([
    ['EADDRINUSE', 'port 3000 is in use; set PORT'],
    ['EACCES', 'port 3000 is not allowed for this user'],
    ['EADDRNOTAVAIL', 'HOST example.invalid is not an address of this machine; set HOST'],
    ['ENOTFOUND', 'HOST example.invalid does not resolve'],
    ['EAI_AGAIN', 'HOST example.invalid does not resolve'],
  ])('words %s as one line naming the setting to change', (code, line) => {
    expect(listenProblem(fault(code), AT)).toContain(line);
  });

  it('leaves any other error to be shown in full, as a bug', () => {
    expect(listenProblem(new TypeError('x'), AT)).toBeUndefined();
    expect(listenProblem(undefined, AT)).toBeUndefined();
  });
});
