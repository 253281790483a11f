/** The log layer (sequence, applyBatch) on signed events, for scale beside the engine core. */
import { fromHex, ZERO_HASH } from "../../../protocol/bytes.js";
import { makeDomain, structHashQuote, structHashRequest, typedDataDigest } from "../../../protocol/eip712.js";
import { applyBatch } from "../../../protocol/log/apply-batch.js";
import { createLogState } from "../../../protocol/log/log-state.js";
import { sealBatch, sequence } from "../../../protocol/log/sequence.js";
import type { LogEvent, SignedBatch } from "../../../protocol/messages.js";
import { signBatchHeader, signQuote, signRequest } from "../../../protocol/sign.js";
import { privateKeyToAddress } from "../../../protocol/signature.js";
import { BATCH_EVENTS, NOW } from "./workload.js";

/**
 * The log layer around the engine, for scale: what a leader (`sequence`) and a follower
 * (`applyBatch`) sustain on signed requests, with signatures and batch body hashes taken as checked
 * at gossip (the `verified`, `knownDigest` and `bodyVerified` options). Hashing (keccak, in JS:
 * request ids, event and assignment hashes) is most of it.
 */
export function logLayerRates(requests: number): { leader: number; follower: number } {
  const market = makeDomain(31337, `0x${"5f".repeat(20)}`);
  const matcher = makeDomain(31337, `0x${"e7".repeat(20)}`);
  const requesterKey = fromHex(`0x${"11".repeat(32)}`);
  const requester = privateKeyToAddress(requesterKey);
  const events: LogEvent[] = [
    {
      kind: "market",
      marketId: 1,
      collateralPerRequest: 0n,
      minProvingTime: 1,
      maxProvingTime: 3600,
      requiresTee: false,
      block: 1,
    },
  ];
  for (let i = 0; i < 50; i++) {
    const key = fromHex(`0x${(0x20 + i).toString(16).padStart(64, "0")}`);
    const quote = {
      marketId: 1,
      prover: privateKeyToAddress(key),
      price: BigInt(1000 + i),
      provingTime: 60,
      capacity: 1_000_000,
      validUntil: NOW + 3000,
      nonce: 1n,
    };
    events.push({ kind: "quote", signed: signQuote(market, quote, key) });
  }
  for (let i = 0; i < requests; i++) {
    const request = {
      marketId: 1,
      requester,
      inputsHash: ZERO_HASH,
      secretHash: ZERO_HASH,
      maxPrice: 10n ** 15n,
      assignBy: NOW + 600,
      provingTime: 120,
      nonce: BigInt(i),
    };
    events.push({ kind: "request", signed: signRequest(market, request, requesterKey) });
  }
  const verified = () => true;
  // The leader's pool holds the very objects gossip validated, with their digests: it reuses them.
  // A follower decodes the batch into new objects, so it hashes each one itself.
  const digests = new WeakMap<object, Uint8Array>();
  for (const e of events) {
    if (e.kind === "request")
      digests.set(e.signed, typedDataDigest(market, structHashRequest(e.signed.request)));
    if (e.kind === "quote") digests.set(e.signed, typedDataDigest(market, structHashQuote(e.signed.quote)));
  }
  const knownDigest = (m: object) => digests.get(m);
  const leader = createLogState({ marketDomain: market, matcherDomain: matcher });
  const batches: SignedBatch[] = [];
  let t0 = performance.now();
  for (let i = 0; i < events.length; i += BATCH_EVENTS) {
    const s = sequence(leader, events.slice(i, i + BATCH_EVENTS), NOW, { term: 1, verified, knownDigest });
    batches.push(sealBatch(s, signBatchHeader(matcher, s.header, requesterKey)));
  }
  const leaderMs = performance.now() - t0;
  const follower = createLogState({ marketDomain: market, matcherDomain: matcher });
  t0 = performance.now();
  for (const b of batches) applyBatch(follower, b, { verified, bodyVerified: true });
  const followerMs = performance.now() - t0;
  return { leader: events.length / (leaderMs / 1000), follower: events.length / (followerMs / 1000) };
}
