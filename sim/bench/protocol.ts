/**
 * `npm run bench -- protocol`: how many signed gossip messages one core fully validates per second.
 * Full validation = strict decode + EIP-712 digest + signature recovery + field rules, on distinct
 * requests (no dedupe hits). Baseline in the same run: the same decode and rules with the digest and
 * recovery done by ethers' `verifyTypedData`, which is how a TypeScript node would do it by default.
 */
import { verifyTypedData } from "ethers";
import {
  decodeMessage,
  EIP712_TYPES,
  encodeMessage,
  keccak,
  makeDomain,
  nativeBackend,
  nobleBackend,
  type ProofRequest,
  privateKeyToAddress,
  recoverAddress,
  type SignedRequest,
  signRequest,
  structHashRequest,
  toHex,
  typedDataDigest,
  type ValidationContext,
  validateMessage,
  ZERO_HASH,
} from "../../protocol/index.js";
import { median, type Suite, sig } from "./metric.js";

const MESSAGES = 2000;
const ROUNDS = 5;
const NOW = 1_700_000_000;

/** Runs `fn` over every message repeatedly for about `ms` milliseconds; returns messages per second. */
function throughput(messages: readonly Uint8Array[], ms: number, fn: (m: Uint8Array) => void): number {
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (const m of messages) fn(m);
    done += messages.length;
    elapsed = performance.now() - start;
  }
  return (done / elapsed) * 1000;
}

function rounds(messages: readonly Uint8Array[], ms: number, fn: (m: Uint8Array) => void): number {
  throughput(messages, ms / 2, fn); // warm-up: JIT and caches
  const xs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) xs.push(throughput(messages, ms, fn));
  return median(xs);
}

const suite: Suite = async (emit) => {
  const domain = makeDomain(31337, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  const matcherDomain = makeDomain(31337, "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512");
  const keys = Array.from({ length: 16 }, (_, i) => keccak(Uint8Array.of(i)));
  const signed: SignedRequest[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const key = keys[i % keys.length]!;
    const request: ProofRequest = {
      marketId: 1 + (i % 4),
      requester: privateKeyToAddress(key),
      inputsHash: toHex(keccak(Uint8Array.of(i & 0xff, i >> 8))),
      secretHash: ZERO_HASH,
      maxPrice: 10n ** 15n + BigInt(i),
      assignBy: NOW + 600,
      provingTime: 120,
      nonce: BigInt(i),
    };
    signed.push(signRequest(domain, request, key));
  }
  const encoded = signed.map((body) => encodeMessage({ type: "request", body }));
  const ctxFor = (backend: typeof nobleBackend): ValidationContext => ({
    now: NOW,
    marketDomain: domain,
    matcherDomain,
    backend,
  });
  const native = nativeBackend;
  if (!native) throw new Error("the native secp256k1 binding did not load: nothing to measure");

  const nativeCtx = ctxFor(native);
  const value = rounds(encoded, 1000, (m) => validateMessage(nativeCtx, m));
  const ethersDomain = { ...domain };
  const types = { ProofRequest: [...EIP712_TYPES.ProofRequest] };
  // The baseline keeps our decoder and rules and swaps in ethers for digest + recovery; it is
  // slow, so it gets a smaller slice of the messages.
  const baseline = rounds(encoded.slice(0, 200), 1000, (m) => {
    const msg = decodeMessage(m);
    if (msg.type !== "request") throw new Error("not a request");
    const { request, signature } = msg.body;
    if (request.maxPrice <= 0n || request.assignBy <= NOW) throw new Error("rule");
    const signer = verifyTypedData(ethersDomain, types, request, signature);
    if (signer.toLowerCase() !== request.requester) throw new Error("bad signature");
  });
  const params = { messages: MESSAGES, rounds: ROUNDS, message: "ProofRequest", bytes: encoded[0]!.length };
  emit({
    name: "protocol.validate_per_s",
    value: sig(value),
    unit: "msg/s",
    baseline: sig(baseline),
    ratio: sig(value / baseline, 3),
    params: { ...params, path: "native libsecp256k1", baseline_path: "ethers.verifyTypedData" },
  });

  const nobleCtx = ctxFor(nobleBackend);
  const fallback = rounds(encoded.slice(0, 300), 1000, (m) => validateMessage(nobleCtx, m));
  emit({
    name: "protocol.validate_per_s_fallback",
    value: sig(fallback),
    unit: "msg/s",
    params: { ...params, path: "@noble/curves" },
  });

  const digests = signed.map((s) => typedDataDigest(domain, structHashRequest(s.request)));
  const sigs = signed.map((s) => Uint8Array.from(Buffer.from(s.signature.slice(2), "hex")));
  let i = 0;
  const recover = rounds(encoded, 1000, () => {
    const k = i++ % MESSAGES;
    recoverAddress(digests[k]!, sigs[k]!, native);
  });
  emit({
    name: "protocol.recover_per_s",
    value: sig(recover),
    unit: "op/s",
    params: { path: "native libsecp256k1" },
  });

  const decode = rounds(encoded, 500, (m) => decodeMessage(m));
  emit({ name: "protocol.decode_per_s", value: sig(decode), unit: "msg/s", params });
};

export default suite;
