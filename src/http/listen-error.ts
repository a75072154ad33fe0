/**
 * Why the server could not listen, in one line an operator can act on, or undefined when
 * the error is not one of listening's (then it is a bug, and its stack is worth showing).
 */
export function listenProblem(
  error: unknown,
  { port, host }: { port: number; host: string },
): string | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return `port ${port} is in use; set PORT (0 picks a free one)`;
    case 'EACCES':
      return `port ${port} is not allowed for this user (ports below 1024 need privileges); set PORT`;
    case 'EADDRNOTAVAIL':
      return `HOST ${host} is not an address of this machine; set HOST (such as 127.0.0.1 or 0.0.0.0)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `HOST ${host} does not resolve to an address; set HOST (such as 127.0.0.1 or 0.0.0.0)`;
    default:
      return undefined;
  }
}
