import net from "node:net";

export interface TcpService {
  /** Resolves with the port listened on (the one asked for, or a free one for 0). */
  start(): Promise<number>;
  /** Stops listening and ends the open connections: mail clients keep idle ones open for minutes. */
  stop(): Promise<void>;
}

/** A TCP listener for a line protocol (POP3, IMAP) that can end its connections on stop. */
export function createTcpService(
  serve: (socket: net.Socket) => void,
  options: { host: string; port: number },
): TcpService {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    serve(socket);
  });
  return {
    start: () =>
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port, options.host, () => {
          server.off("error", reject);
          resolve((server.address() as net.AddressInfo).port);
        });
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
