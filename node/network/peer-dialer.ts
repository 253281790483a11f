/**
 * Keeps a node connected to more than its bootstrap peer: a pure star does not carry gossip to
 * everyone (STACK.md). Every interval, while the node has fewer connections than its target, it
 * dials a few random peers it has learned of (through identify, the DHT or gossipsub peer exchange).
 */
import type { PeerId } from "@libp2p/interface";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import { connectedPeers, type Host } from "./host.js";

export interface PeerDialerInit {
  /** Connections to keep at least. Default 8: above gossipsub's mesh degree D=6. */
  targetConnections?: number;
  /** Dials per round. Default 3: joins spread over rounds instead of storming one peer. */
  dialsPerRound?: number;
  /** Time between rounds. Default 1,000 ms. */
  intervalMs?: number;
  /** Random source, injectable for tests. */
  random?: () => number;
}

/** Most rounds passed over after rounds that found no one to dial. */
const MAX_BACKOFF_ROUNDS = 32;

export class PeerDialer {
  private timer: NodeJS.Timeout | undefined;
  private readonly target: number;
  private readonly perRound: number;
  private readonly intervalMs: number;
  private readonly random: () => number;
  private running = false;
  /** Rounds to pass over before the next look at the peer store, and how many after that. */
  private skip = 0;
  private backoff = 1;

  constructor(
    private readonly components: { host: Host; logger?: Logger },
    init: PeerDialerInit = {},
  ) {
    this.target = init.targetConnections ?? 8;
    this.perRound = init.dialsPerRound ?? 3;
    this.intervalMs = init.intervalMs ?? 1000;
    this.random = init.random ?? Math.random;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.round(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private discovering = false;

  /** A random-walk DHT lookup; what it finds goes into the peer store for the next round. */
  private async discover(): Promise<void> {
    const { host } = this.components;
    if (this.discovering || !host.services.dht) return;
    this.discovering = true;
    try {
      const key = new Uint8Array(32).map(() => Math.floor(this.random() * 256));
      for await (const peer of host.peerRouting.getClosestPeers(key, { signal: AbortSignal.timeout(5000) })) {
        if (peer.multiaddrs.length > 0) await host.peerStore.merge(peer.id, { multiaddrs: peer.multiaddrs });
      }
    } catch (err) {
      (this.components.logger ?? silentLogger).debug(
        { err: (err as Error).message },
        "dht random walk failed",
      );
    } finally {
      this.discovering = false;
    }
  }

  /** One round: dial up to `dialsPerRound` known, unconnected peers while under target. */
  async round(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      const { host } = this.components;
      const connected = new Set(connectedPeers(host).map((p) => p.toString()));
      if (connected.size >= this.target) return 0;
      // Listing the peer store rebuilds every PeerId (a point decompression in JS for secp256k1):
      // when the last look found no one to dial, look again less and less often (up to 32 s).
      if (this.skip > 0) {
        this.skip--;
        // Discovery keeps its pace: what it finds is what the next look will dial.
        void this.discover();
        return 0;
      }
      const self = host.peerId.toString();
      const candidates: PeerId[] = [];
      for (const peer of await host.peerStore.all()) {
        const id = peer.id.toString();
        if (id !== self && !connected.has(id) && peer.addresses.length > 0) candidates.push(peer.id);
      }
      // Too few known peers: ask the DHT for the peers closest to a random key, which lands us
      // somewhere else in the keyspace each time.
      if (candidates.length < this.perRound) void this.discover();
      if (candidates.length === 0) {
        this.skip = this.backoff;
        this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_ROUNDS);
      } else this.backoff = 1;
      let dialed = 0;
      while (dialed < this.perRound && candidates.length > 0) {
        const [peer] = candidates.splice(Math.floor(this.random() * candidates.length), 1);
        dialed++;
        host.dial(peer!, { signal: AbortSignal.timeout(5000) }).catch((err: Error) => {
          (this.components.logger ?? silentLogger).debug(
            { peer: peer!.toString(), err: err.message },
            "dial failed",
          );
        });
      }
      return dialed;
    } finally {
      this.running = false;
    }
  }
}
