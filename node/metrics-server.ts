/** Serves a node's Prometheus metrics over HTTP at /metrics. */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export class MetricsServer {
  private server: Server | undefined;

  constructor(private readonly registry: Registry) {}

  /** Listen on `host:port` (port 0: any free port); returns the port. */
  async start(port: number, host = "127.0.0.1"): Promise<number> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end("not found: metrics are at /metrics\n");
        return;
      }
      this.registry
        .metrics()
        .then((body) => res.writeHead(200, { "content-type": this.registry.contentType }).end(body))
        .catch((err: Error) => res.writeHead(500).end(err.message));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
