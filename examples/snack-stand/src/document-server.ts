/**
 * The stand's document server: where the demo publishes each rendered order receipt, at an
 * address the messaging platforms download it from (a `document` message sent by URL). It is a
 * plain HTTP server on a loopback port, as the stand's web host or a file bucket would be in production.
 *
 * Once the host keeps files itself (`POST /v1/media`), the example uploads each PDF there instead
 * and sends `{ type: 'document', media: { storedId } }`; the connector then uploads the file to
 * the platform. See the README.
 * @module
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A published file. */
interface Published {
  body: Buffer;
  contentType: string;
}

/** Serves published files by path (GET and HEAD), 404 for anything else. */
export class DocumentServer {
  private readonly files = new Map<string, Published>();
  private server?: Server;
  private base?: string;
  /** How many times each path was downloaded. */
  readonly downloads = new Map<string, number>();

  /** Starts listening on a free loopback port. @returns its base URL */
  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const file = this.files.get(path);
      if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) { res.writeHead(file ? 405 : 404).end(); return; }
      this.downloads.set(path, (this.downloads.get(path) ?? 0) + 1);
      res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.body.length, 'cache-control': 'private, max-age=86400' });
      res.end(req.method === 'HEAD' ? undefined : file.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.base;
  }

  /**
   * Publishes a file.
   * @param path - where, e.g. `/receipts/A-101.pdf`
   * @param file - its bytes and content type
   * @returns its URL
   */
  publish(path: string, file: Published): string {
    if (!this.base) throw new Error('the document server is not started');
    const encoded = path.split('/').map(encodeURIComponent).join('/');
    this.files.set(encoded, { body: file.body, contentType: file.contentType });
    return `${this.base}${encoded}`;
  }

  /** Stops listening. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
