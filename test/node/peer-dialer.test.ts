import assert from "node:assert/strict";
import { generateKeyPair } from "@libp2p/crypto/keys";
import type { PeerId } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import type { Host } from "../../node/network/host.js";
import { PeerDialer } from "../../node/network/peer-dialer.js";

/** The parts of a host the dialer uses: connections, the peer store and dial, counted. */
async function stubHost(known: number) {
  const self = peerIdFromPrivateKey(await generateKeyPair("Ed25519"));
  const peers: PeerId[] = [];
  for (let i = 0; i < known; i++) peers.push(peerIdFromPrivateKey(await generateKeyPair("Ed25519")));
  const connected: PeerId[] = [];
  const calls = { listed: 0, dialed: [] as string[] };
  const host = {
    peerId: self,
    services: {},
    getConnections: () => connected.map((remotePeer) => ({ remotePeer })),
    peerStore: {
      all: async () => {
        calls.listed++;
        return peers.map((id) => ({ id, addresses: [{ multiaddr: "/ip4/127.0.0.1/tcp/1" }] }));
      },
    },
    dial: async (peer: PeerId) => {
      calls.dialed.push(peer.toString());
      connected.push(peer);
    },
  };
  return { host: host as unknown as Host, peers, connected, calls };
}

describe("PeerDialer", () => {
  it("dials known, unconnected peers while under its target, a few per round", async () => {
    const s = await stubHost(5);
    const dialer = new PeerDialer({ host: s.host }, { targetConnections: 4, dialsPerRound: 3 });
    assert.equal(await dialer.round(), 3);
    assert.equal(new Set(s.calls.dialed).size, 3);
    // Under target still (3 < 4): dials from the two left.
    assert.equal(await dialer.round(), 2);
    assert.equal(new Set(s.calls.dialed).size, 5);
    // At target: does not even look at the peer store.
    const listed = s.calls.listed;
    assert.equal(await dialer.round(), 0);
    assert.equal(s.calls.listed, listed);
  });

  it("looks at the peer store less and less often while it finds no one to dial", async () => {
    const s = await stubHost(0);
    const dialer = new PeerDialer({ host: s.host }, { targetConnections: 8 });
    const listedAt: number[] = [];
    for (let round = 0; round < 40; round++) {
      const before = s.calls.listed;
      await dialer.round();
      if (s.calls.listed > before) listedAt.push(round);
    }
    // Gaps of 1, 2, 4, 8, 16 rounds passed over: rounds 0, 2, 5, 10, 19, 36.
    assert.deepEqual(listedAt, [0, 2, 5, 10, 19, 36]);
  });

  it("looks every round again once it finds someone to dial", async () => {
    const s = await stubHost(0);
    const dialer = new PeerDialer({ host: s.host }, { targetConnections: 8 });
    for (let round = 0; round < 11; round++) await dialer.round();
    // A peer becomes known (as if through identify): found at the next look, then every round.
    const extra = await stubHost(2);
    const all = s.host.peerStore.all;
    (s.host.peerStore as { all: unknown }).all = async () => [
      ...(await all.call(s.host.peerStore)),
      ...(await extra.host.peerStore.all()),
    ];
    let rounds = 0;
    while (s.calls.dialed.length === 0 && rounds < 40) {
      await dialer.round();
      rounds++;
    }
    assert.equal(s.calls.dialed.length, 2);
    const before = s.calls.listed;
    await dialer.round();
    assert.equal(s.calls.listed, before + 1);
  });
});
