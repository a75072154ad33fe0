import qrcode from 'qrcode-terminal';
import { qrcodeValueToImageUrl, ScanStatus, type Wechaty } from 'wechaty';
import type { Logger } from '../log/logger.ts';

export type WechatyState =
  'stopped' | 'starting' | 'started' | 'logged-in' | 'logged-out' | 'failed';

/** Draws a login QR code people can scan from the terminal. */
export type PrintQr = (value: string) => void;

/**
 * Stderr, not stdout: stdout carries the JSON log lines that log collectors parse, while a
 * terminal shows both. Where stderr is no terminal (a file, CI) the drawing would be noise;
 * the log line carries the QR code's image URL.
 */
export const printQrToTerminal: PrintQr = (value) => {
  if (!process.stderr.isTTY) return;
  qrcode.generate(value, { small: true }, (art) => void process.stderr.write(`${art}\n`));
};

/**
 * Logs the bot's life (scan, login, logout, reconnect, errors) and keeps its state. A listener
 * never throws: Wechaty emits from inside the puppet, where a throw would be nobody's to catch.
 */
export function watchLifecycle(
  bot: Wechaty,
  { log, printQr = printQrToTerminal }: { log: Logger; printQr?: PrintQr },
): { state(): WechatyState; set(state: WechatyState): void } {
  let state: WechatyState = 'stopped';
  let logins = 0;

  bot.on('scan', (value, status) => {
    const imageUrl = qrcodeValueToImageUrl(value);
    log.info(
      { status: ScanStatus[status] ?? status, qrcode: value, imageUrl },
      'wechaty: scan the QR code to log in',
    );
    if (status === ScanStatus.Waiting || status === ScanStatus.Timeout) {
      try {
        printQr(value);
      } catch (error) {
        log.warn({ err: error }, 'wechaty: could not draw the QR code; open the image URL instead');
      }
    }
  });
  bot.on('login', (user) => {
    logins += 1;
    state = 'logged-in';
    log.info(
      { user: user.name(), userId: user.id },
      logins > 1 ? 'wechaty: logged in again (reconnected)' : 'wechaty: logged in',
    );
  });
  bot.on('logout', (user, reason) => {
    state = 'logged-out';
    log.warn({ user: user.name(), userId: user.id, reason }, 'wechaty: logged out');
  });
  bot.on('error', (error) => {
    log.error({ err: error }, 'wechaty: puppet error');
  });
  bot.on('room-invite', (invitation) => {
    log.info({ invitationId: invitation.id }, 'wechaty: invited to a group; accept it in the app');
  });
  bot.on('start', () => log.info('wechaty: started'));
  bot.on('stop', () => log.info('wechaty: stopped'));

  return {
    state: () => state,
    set(next) {
      state = next;
    },
  };
}
