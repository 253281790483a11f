import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { YamuxStream } from "@chainsafe/libp2p-yamux/stream";
import { lpStream } from "@libp2p/utils";
import { identityFromKey } from "../../node/identity.js";
import { createHost, type Host } from "../../node/network/host.js";
import { installYamuxWindowRule, sendWindowUpdateAtHalf } from "../../node/network/yamux-window.js";

/** A stream's window state as `sendWindowUpdate` sees it, with the frames it sent. */
function fakeStream(over: { state?: number; flags?: number } = {}) {
  const sent: { flag: number; length: number }[] = [];
  let flags = over.flags ?? 0;
  const s = {
    state: over.state ?? 3,
    recvWindow: 256 * 1024,
    recvWindowCapacity: 256 * 1024,
    maxStreamWindowSize: 16 * 1024 * 1024,
    epochStart: Date.now(),
    streamId: 7,
    getRTT: () => -1,
    getSendFlags: () => {
      const f = flags;
      flags = 0;
      return f;
    },
    sendFrame: (h: { flag: number; length: number }) => {
      sent.push({ flag: h.flag, length: h.length });
      return true;
    },
  };
  return { s, sent, update: () => sendWindowUpdateAtHalf.call(s) };
}

describe("yamux window updates at half a window", () => {
  it("holds the credit back until half the window is used, then hands all of it back", () => {
    const { s, sent, update } = fakeStream();
    for (let i = 0; i < 127; i++) {
      s.recvWindowCapacity -= 1024;
      update();
    }
    assert.equal(sent.length, 0, "127 KiB of a 256 KiB window: no update yet");
    s.recvWindowCapacity -= 1024;
    update();
    assert.deepEqual(sent, [{ flag: 0, length: 128 * 1024 }]);
    assert.equal(s.recvWindowCapacity, s.recvWindow);
  });

  it("sends flags at once (a new stream's SYN or ACK), even with no credit to hand back", () => {
    const { sent, update } = fakeStream({ flags: 2 });
    update();
    assert.deepEqual(sent, [{ flag: 2, length: 0 }]);
  });

  it("sends nothing while the stream is paused", () => {
    const { s, sent, update } = fakeStream({ state: 5 });
    s.recvWindowCapacity = 0;
    update();
    assert.equal(sent.length, 0);
  });

  it("grows the window when the sender used half of it within 4 round trips", () => {
    const { s, sent, update } = fakeStream();
    s.getRTT = () => 1000;
    s.recvWindowCapacity = s.recvWindow / 2;
    update();
    assert.equal(s.recvWindow, 512 * 1024);
    assert.deepEqual(sent, [{ flag: 0, length: 384 * 1024 }]);
  });

  describe("between two real hosts", function () {
    this.timeout(60_000);
    const PROTOCOL = "/kalypso-test/echo/1.0.0";
    let a: Host;
    let b: Host;
    let grants = 0;
    let restore: () => void;

    before(async () => {
      assert.equal(installYamuxWindowRule().installed, true);
      // Count updates that hand credit back, on every stream of this process.
      const proto = YamuxStream.prototype as unknown as {
        sendWindowUpdate(this: { recvWindowCapacity: number }): void;
      };
      const inner = proto.sendWindowUpdate;
      proto.sendWindowUpdate = function (this: { recvWindowCapacity: number }) {
        const before = this.recvWindowCapacity;
        inner.call(this);
        if (this.recvWindowCapacity > before) grants++;
      };
      restore = () => {
        proto.sendWindowUpdate = inner;
      };
      const host = () => createHost({ identity: identityFromKey(randomBytes(32)) }, { dht: false });
      [a, b] = await Promise.all([host(), host()]);
      await b.handle(PROTOCOL, async (stream) => {
        const lp = lpStream(stream, { maxDataLength: 1024 * 1024 });
        for (;;) {
          const frame = await lp.read().catch(() => undefined);
          if (!frame) break;
          await lp.write(frame.subarray());
        }
      });
    });

    after(async () => {
      restore();
      await Promise.all([a?.stop(), b?.stop()]);
    });

    it("carries many small messages with a few updates, and messages larger than the window intact", async () => {
      const stream = await a.dialProtocol(b.getMultiaddrs()[0]!, PROTOCOL);
      const lp = lpStream(stream, { maxDataLength: 1024 * 1024 });
      grants = 0;
      for (let i = 0; i < 300; i++) {
        const m = randomBytes(1000);
        await lp.write(m);
        assert.deepEqual(Buffer.from((await lp.read()).subarray()), m);
      }
      // 300 KB each way through 256 KiB windows: a handful of updates, not one per message.
      assert.ok(grants >= 2, `flow control still hands credit back (${grants} updates)`);
      assert.ok(grants <= 10, `${grants} window updates for 300 messages each way`);
      for (let i = 0; i < 3; i++) {
        const m = randomBytes(700 * 1024);
        await lp.write(m);
        assert.deepEqual(
          Buffer.from((await lp.read()).subarray()),
          m,
          "a 700 KB message (over the window) intact",
        );
      }
      await stream.close();
    });
  });
});
