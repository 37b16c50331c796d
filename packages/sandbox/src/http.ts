import http from 'http';
import { AddressInfo } from 'net';

/** A small HTTP server on 127.0.0.1 that can be started, stopped and counted. */
export interface StandInServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export async function listen(
  handler: http.RequestListener,
  port = 0,
): Promise<{ server: http.Server; url: string; port: number }> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
  };
}

export async function close(server: http.Server): Promise<void> {
  server.closeAllConnections?.();
  await new Promise<void>(resolve => server.close(() => resolve()));
}

export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Start, stop and address of a stand-in's HTTP server. */
export abstract class StandInBase implements StandInServer {
  private server?: http.Server;
  private address = { url: '', port: 0 };
  /**
   * When each request was in flight (performance.now() ms, from arrival to the end of the
   * response), for measuring how calls overlap; the last 5,000–10,000 are kept; cleared with
   * `spans.length = 0`.
   */
  readonly spans: Array<{ start: number; end: number; call?: string }> = [];

  protected async listenOn(port: number | undefined) {
    const {
      server,
      url,
      port: bound,
    } = await listen((req, res) => {
      const start = performance.now();
      res.once('close', () => {
        this.spans.push({
          start,
          end: performance.now(),
          call: `${req.method} ${(req.url ?? '').split('?')[0]}`,
        });
        if (this.spans.length > 10_000) this.spans.splice(0, 5_000);
      });
      return this.handle(req, res);
    }, port);
    this.server = server;
    this.address = { url, port: bound };
  }

  protected abstract handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void>;

  get url() {
    return this.address.url;
  }

  get port() {
    return this.address.port;
  }

  async stop() {
    if (this.server) await close(this.server);
    this.server = undefined;
  }
}
