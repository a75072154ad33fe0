/** A failure of the Wechaty channel itself (not of one message), with what it was doing. */
export class WechatyChannelError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WechatyChannelError';
  }
}

/** The message of anything thrown, for logs and delivery results. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
