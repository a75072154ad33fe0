import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { log as wechatyLog } from 'wechaty';
import { mock, PuppetMock } from 'wechaty-puppet-mock';
import { createWechatyChannel, type WechatyChannel } from '../../src/wechaty/channel.ts';
import type { WechatyOptions } from '../../src/wechaty/config.ts';
import { memoryLogger, startTempService, type TempService } from '../helpers/temp-service.ts';
import { LOGIN_QR, logInMockBot, waitFor } from './mock-world.ts';

const MISSING_PUPPET = 'wechaty-puppet-not-installed';
const START_FAILURE = 'cannot reach the puppet server';
const HEALTHY = {
  status: 'ok',
  entries: 13,
  database: { kind: 'sqlite', ok: true, ms: expect.any(Number) },
};
const QR_IMAGE_URL = `https://wechaty.js.org/qrcode/${encodeURIComponent(LOGIN_QR)}`;

const OPTIONS: WechatyOptions = {
  puppet: 'wechaty-puppet-mock',
  puppetOptions: {},
  roomPrefix: '/oa',
  acceptFriends: true,
  sendIntervalMs: 0,
  sendJitterMs: 0,
};

/** A puppet whose start fails, as one does when its server is down or its token is wrong. */
class UnreachablePuppet extends PuppetMock {
  override async onStart(): Promise<void> {
    throw new Error(START_FAILURE);
  }
}

let running: TempService | undefined;
let channel: WechatyChannel | undefined;
afterEach(async () => {
  await channel?.stop();
  channel = undefined;
  await running?.cleanup();
  running = undefined;
});

const health = async (url: string) => (await fetch(`${url}/healthz`)).json();

describe('the Wechaty channel lifecycle', () => {
  it('is off unless a puppet is configured', async () => {
    running = await startTempService();
    expect(running.service.wechaty).toBeUndefined();
  });

  it('logs a puppet package that is not installed, and the HTTP service keeps answering', async () => {
    const { log, lines } = memoryLogger();
    running = await startTempService({ env: { WECHATY_PUPPET: MISSING_PUPPET }, log });
    expect(await health(running.url)).toEqual(HEALTHY);
    const wechaty = running.service.wechaty!;
    expect(wechaty.state()).toBe('failed');
    expect(lines()).toContainEqual(
      expect.objectContaining({
        msg: 'wechaty: channel disabled',
        err: expect.objectContaining({
          message: expect.stringContaining(`cannot load the puppet package "${MISSING_PUPPET}"`),
        }),
      }),
    );
    const [result] = await wechaty.sender.send(
      { type: 'text', text: 'news' },
      [{ deliveryId: 1, userId: 'alice' }],
      'k',
    );
    expect(result?.status).toBe('retry');
  });

  it('logs a puppet that fails to start, and the service beside it keeps answering', async () => {
    const { log, lines } = memoryLogger();
    // Wechaty's own console log warns while it waits out the failed start; not ours to show.
    const wechatyLevel = wechatyLog.level();
    wechatyLog.level('silent');
    onTestFinished(() => void wechatyLog.level(wechatyLevel));
    running = await startTempService();
    channel = await createWechatyChannel({
      options: OPTIONS,
      engine: running.service.engine,
      subscribers: running.service.subscribers,
      log,
      puppet: new UnreachablePuppet({ mocker: new mock.Mocker() }),
    });
    await channel.start();
    expect(channel.state()).toBe('failed');
    expect(await health(running.url)).toEqual(HEALTHY);
    expect(lines()).toContainEqual(
      expect.objectContaining({
        msg: 'wechaty: puppet error',
        err: expect.objectContaining({ message: START_FAILURE }),
      }),
    );
  });

  it('draws the login QR code, logs its URL, and logs login, logout and a new login', async () => {
    const { log, lines } = memoryLogger();
    const printQr = vi.fn();
    running = await startTempService();
    const puppet = new PuppetMock({ mocker: new mock.Mocker() });
    const built = await createWechatyChannel({
      options: OPTIONS,
      engine: running.service.engine,
      subscribers: running.service.subscribers,
      log,
      puppet,
      printQr,
    });
    channel = built;
    void built.start();
    const world = await logInMockBot(
      puppet,
      () => built.state() === 'started',
      () => built.state() === 'logged-in',
    );

    expect(printQr).toHaveBeenCalledWith(LOGIN_QR);
    expect(lines()).toContainEqual(
      expect.objectContaining({
        msg: 'wechaty: scan the QR code to log in',
        imageUrl: QR_IMAGE_URL,
      }),
    );
    await puppet.logout('kicked out by the phone');
    await waitFor(() => built.state() === 'logged-out', 'the logout');
    world.mocker.login(world.me);
    await waitFor(() => built.state() === 'logged-in', 'the new login');
    expect(lines().map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        'wechaty: logged in',
        'wechaty: logged out',
        'wechaty: logged in again (reconnected)',
      ]),
    );
  });
});
