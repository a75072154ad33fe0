import type { Inbound } from '../engine/types.ts';

export const TERMINAL_COMMANDS = '/follow /unfollow /click KEY /help /quit';

/** What a typed line is: a message or event for the account, a local answer, or the end. */
export type TerminalLine =
  { kind: 'inbound'; inbound: Inbound } | { kind: 'answer'; text: string } | { kind: 'quit' };

/**
 * Reads one line of the terminal chat. A line starting with "/" is a command of the
 * terminal itself, never a message: an unknown one is answered here, not searched and
 * recorded as a question the account could not answer.
 */
export function readTerminalLine(line: string, base: Omit<Inbound, 'kind'>): TerminalLine {
  if (!line.startsWith('/'))
    return { kind: 'inbound', inbound: { ...base, kind: 'text', text: line.slice(0, 2000) } };
  const [command = '', key] = line.split(/\s+/, 2);
  switch (command.toLowerCase()) {
    case '/follow':
      return { kind: 'inbound', inbound: { ...base, kind: 'event', event: 'follow' } };
    case '/unfollow':
      return { kind: 'inbound', inbound: { ...base, kind: 'event', event: 'unfollow' } };
    case '/click':
      if (!key) return { kind: 'answer', text: 'usage: /click KEY (a menu key of rules.yaml)' };
      return {
        kind: 'inbound',
        inbound: { ...base, kind: 'event', event: 'click', key: key.slice(0, 128) },
      };
    case '/help':
      return {
        kind: 'answer',
        text: `commands: ${TERMINAL_COMMANDS}; any other line is a message to the account`,
      };
    case '/quit':
    case '/exit':
      return { kind: 'quit' };
    default:
      return {
        kind: 'answer',
        text: `unknown command ${command.slice(0, 40)}; commands: ${TERMINAL_COMMANDS}`,
      };
  }
}
