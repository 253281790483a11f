/**
 * Network options in one place, each default with the reason for its value.
 */

export interface NetworkOptions {
  /** Addresses to listen on. */
  listen: string[];
  /** Multiaddrs (with /p2p/<id>) of peers to join through. */
  bootstrap: string[];
  /** Kademlia DHT for finding peers beyond the bootstrap peer. */
  dht: boolean;
  /**
   * All peers share one IP (loopback, one host): raise the per-IP inbound dial rate and whitelist
   * the IP from gossipsub's colocation penalty, which otherwise graylists a hub with > 10 local peers.
   */
  localNetwork: boolean;
  /** Connections a node keeps at most. */
  maxConnections: number;
  /** Gossipsub score thresholds: below graylist a peer's RPCs are dropped entirely. */
  scoreThresholds: {
    gossipThreshold: number;
    publishThreshold: number;
    graylistThreshold: number;
    acceptPXThreshold: number;
    opportunisticGraftThreshold: number;
  };
  /** Weight of our own verdict-based penalty (PeerPenalties) in the peer score. */
  appSpecificWeight: number;
  /** Messages validated concurrently; more queue in gossipsub's bounded queue. */
  messageProcessingConcurrency: number;
  /**
   * Gossipsub mesh degrees per topic (D target, Dlo..Dhi kept, Dlazy peers told IHAVE, Dout
   * outbound, Dscore kept by score when pruning). Every node forwards each message to its D mesh
   * peers, so D is the fan-out cost; undefined = gossipsub's defaults (6, 4..12, 6, 2, 4).
   */
  mesh?: { D: number; Dlo: number; Dhi: number; Dlazy: number; Dout: number; Dscore: number };
}

export const DEFAULT_NETWORK_OPTIONS: NetworkOptions = {
  // Loopback and an OS-chosen port: safe by default; a public node configures its own.
  listen: ["/ip4/127.0.0.1/tcp/0"],
  bootstrap: [],
  // A pure star (everyone dials only the bootstrap peer) does not carry gossip to everyone (STACK.md).
  dht: true,
  localNetwork: false,
  // Gossipsub meshes of D=6..12 per topic need a few dozen; more only costs memory.
  maxConnections: 100,
  scoreThresholds: {
    // Stop gossiping (IHAVE/IWANT) with a peer after about 2 rejected messages.
    gossipThreshold: -20,
    // Do not publish our own messages to a peer after about 4 rejected messages.
    publishThreshold: -40,
    // Drop all RPCs from a peer after about 9 rejected messages (Must show: within 20).
    graylistThreshold: -80,
    // Only take peer exchange from peers that have earned a positive score.
    acceptPXThreshold: 10,
    opportunisticGraftThreshold: 5,
  },
  // One REJECT costs 10 (PeerPenalties) times this weight.
  appSpecificWeight: 1,
  // Validation is CPU-bound (signature recovery ~60 us): more concurrency only adds queueing.
  messageProcessingConcurrency: 16,
};

/** Defaults overlaid with what the caller set. */
export function networkOptions(over: Partial<NetworkOptions> = {}): NetworkOptions {
  return {
    ...DEFAULT_NETWORK_OPTIONS,
    ...over,
    scoreThresholds: { ...DEFAULT_NETWORK_OPTIONS.scoreThresholds, ...over.scoreThresholds },
  };
}
