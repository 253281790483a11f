/**
 * The libp2p host of a Kalypso node: TCP, Noise, Yamux, Identify, Ping, Gossipsub (StrictNoSign,
 * message id = hash of the payload), bootstrap-list discovery and Kademlia peer routing.
 */
import { createHash } from "node:crypto";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { bootstrap } from "@libp2p/bootstrap";
import { type GossipSub, gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import type { PeerId } from "@libp2p/interface";
import { type KadDHT, kadDHT, passthroughMapper } from "@libp2p/kad-dht";
import { type Ping, ping } from "@libp2p/ping";
import { tcp } from "@libp2p/tcp";
import { createLibp2p, type Libp2p } from "libp2p";
import { MAX_MESSAGE_BYTES } from "../../protocol/index.js";
import type { NodeIdentity } from "../identity.js";
import { type NetworkOptions, networkOptions } from "./options.js";
import type { PeerBlocklist } from "./peer-blocklist.js";
import { installYamuxWindowRule } from "./yamux-window.js";

/** Protocol of our DHT: separate from the public IPFS DHT, so nodes only find Kalypso peers. */
export const DHT_PROTOCOL = "/kalypso/kad/1.0.0";

// A `type`, not an `interface`: createLibp2p's service map needs an index-compatible type (STACK.md).
export type HostServices = {
  identify: unknown;
  ping: Ping;
  pubsub: GossipSub;
  dht?: KadDHT;
};

export type Host = Libp2p<HostServices>;

/**
 * The peers we hold a connection to. Not `host.getPeers()`: that rebuilds every PeerId from its
 * string, which for a secp256k1 key is a point decompression in pure JS (~1 ms per peer), and the
 * node asks every second; a connection already holds its PeerId.
 */
export function connectedPeers(host: Host): PeerId[] {
  const seen = new Map<string, PeerId>();
  for (const c of host.getConnections()) {
    const key = c.remotePeer.toString();
    if (!seen.has(key)) seen.set(key, c.remotePeer);
  }
  return [...seen.values()];
}

/** Gossip message id: sha256 of the payload, so the same bytes from any peer are one message. */
export function gossipMessageId(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

export interface HostComponents {
  identity: NodeIdentity;
  /** Our per-peer verdict score (PeerPenalties.score). */
  appSpecificScore?: (peer: string) => number;
  /** Peers refused a connection either way. */
  blocklist?: PeerBlocklist;
}

/** Create and start a host. */
export async function createHost(
  components: HostComponents,
  over: Partial<NetworkOptions> = {},
): Promise<Host> {
  const opts = networkOptions(over);
  installYamuxWindowRule();
  const peerDiscovery = opts.bootstrap.length > 0 ? [bootstrap({ list: opts.bootstrap, timeout: 0 })] : [];
  const largest = Math.max(...Object.values(MAX_MESSAGE_BYTES));
  const services = {
    identify: identify(),
    ping: ping(),
    pubsub: gossipsub({
      globalSignaturePolicy: "StrictNoSign",
      msgIdFn: (msg) => gossipMessageId(msg.data),
      // Peers we are connected to get our messages even before a mesh forms around a new topic.
      floodPublish: true,
      allowPublishToZeroTopicPeers: true,
      ignoreDuplicatePublishError: true,
      emitSelf: false,
      doPX: true,
      maxInboundDataLength: largest,
      messageProcessingConcurrency: opts.messageProcessingConcurrency,
      ...opts.mesh,
      scoreThresholds: opts.scoreThresholds,
      scoreParams: {
        appSpecificScore: components.appSpecificScore ?? (() => 0),
        appSpecificWeight: opts.appSpecificWeight,
        ...(opts.localNetwork ? { IPColocationFactorWhitelist: new Set(["127.0.0.1", "::1"]) } : {}),
      },
    }),
    ...(opts.dht
      ? {
          dht: kadDHT({
            protocol: DHT_PROTOCOL,
            clientMode: false,
            allowQueryWithZeroPeers: true,
            // The default mapper drops private addresses, which on one host are all of them.
            ...(opts.localNetwork ? { peerInfoMapper: passthroughMapper } : {}),
          }),
        }
      : {}),
  };
  return (await createLibp2p({
    privateKey: components.identity.libp2pKey,
    addresses: { listen: opts.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    ...(components.blocklist ? { connectionGater: components.blocklist.gater() } : {}),
    connectionManager: {
      maxConnections: opts.maxConnections,
      // On loopback every peer dials from 127.0.0.1: the default 5 dials/s per IP drops joins.
      ...(opts.localNetwork
        ? { inboundConnectionThreshold: 10_000, maxIncomingPendingConnections: 1000 }
        : {}),
    },
    services,
  })) as unknown as Host;
}
