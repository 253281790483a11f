/**
 * Peers this node refuses to talk to: no dial out, no connection in (libp2p's connection gater
 * asks here), and blocking a connected peer hangs up on it. An operator's tool against a peer it
 * distrusts; the simulator uses it to cut a network in two and heal it.
 */
import type { ConnectionGater, PeerId } from "@libp2p/interface";

export class PeerBlocklist {
  private readonly blocked = new Set<string>();

  has(peer: PeerId | string): boolean {
    return this.blocked.has(peer.toString());
  }

  add(peer: PeerId | string): void {
    this.blocked.add(peer.toString());
  }

  delete(peer: PeerId | string): void {
    this.blocked.delete(peer.toString());
  }

  /** The gater libp2p consults on every dial and every connection, after the peer is known. */
  gater(): ConnectionGater {
    return {
      denyDialPeer: (peer) => this.has(peer),
      denyInboundEncryptedConnection: (peer) => this.has(peer),
      denyOutboundEncryptedConnection: (peer) => this.has(peer),
    };
  }
}
