import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a server (the test PostgreSQL): what a test points
 * the service at so that it can take "the database" away without stopping the shared one.
 */
export interface TcpProxy {
  port: number;
  /**
   * What a restarting database does to its clients: every proxied connection is cut and new
   * ones are refused (the port is closed, so connecting fails with ECONNREFUSED) for `ms`;
   * then the proxy listens on the same port again. Resolves when it accepts again.
   */
  outage(ms: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    // Either side's end or error ends the other: a half-open pair would hang its client.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await listen(server, 0);
  const { port } = server.address() as { port: number };

  const cut = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    port,
    async outage(ms) {
      const closed = new Promise<void>((done) => server.close(() => done()));
      cut();
      await closed;
      await new Promise((done) => setTimeout(done, ms));
      await listenAgain(server, port);
    },
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      cut();
      if (server.listening) await closed;
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The same port again; another process may hold it an instant (TIME_WAIT aside), so retry. */
async function listenAgain(server: Server, port: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await listen(server, port);
    } catch (err) {
      if (attempt >= 50 || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
      await new Promise((done) => setTimeout(done, 100));
    }
  }
}

/** A database URL to the server behind `proxy` (through it), the rest of it unchanged. */
export function throughProxy(url: string, proxy: TcpProxy): URL {
  const proxied = new URL(url);
  proxied.host = `127.0.0.1:${proxy.port}`;
  return proxied;
}

/** A proxy in front of the PostgreSQL server `url` names. */
export function proxyPostgres(url: string): Promise<TcpProxy> {
  const server = new URL(url);
  return startTcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
}
