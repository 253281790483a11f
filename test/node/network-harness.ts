/** Real libp2p nodes on 127.0.0.1 for tests: a host, its penalties and its gossip. */
import { randomBytes } from "node:crypto";
import { identityFromKey, type NodeIdentity } from "../../node/identity.js";
import { Gossip } from "../../node/network/gossip.js";
import { createHost, type Host } from "../../node/network/host.js";
import type { NetworkOptions } from "../../node/network/options.js";
import { PeerPenalties } from "../../node/network/peer-penalties.js";
import type { ValidationContext } from "../../protocol/index.js";
import { context } from "../protocol/samples.js";

export interface TestPeer {
  identity: NodeIdentity;
  host: Host;
  penalties: PeerPenalties;
  gossip: Gossip;
  addr: string;
}

export async function startPeer(
  over: Partial<NetworkOptions> = {},
  ctx: () => ValidationContext = () => context(),
): Promise<TestPeer> {
  const identity = identityFromKey(new Uint8Array(randomBytes(32)));
  const penalties = new PeerPenalties();
  const host = await createHost(
    { identity, appSpecificScore: (p) => penalties.score(p) },
    { localNetwork: true, ...over },
  );
  const gossip = new Gossip({ host, penalties, context: ctx });
  return { identity, host, penalties, gossip, addr: host.getMultiaddrs()[0]!.toString() };
}

/** A bootstrap peer and `n` peers that join through it. */
export async function startNetwork(n: number, over: Partial<NetworkOptions> = {}): Promise<TestPeer[]> {
  const boot = await startPeer(over);
  const peers = [boot];
  for (let i = 0; i < n; i++) peers.push(await startPeer({ ...over, bootstrap: [boot.addr] }));
  return peers;
}

export async function stopAll(peers: TestPeer[]): Promise<void> {
  await Promise.all(peers.map((p) => p.host.stop()));
}
