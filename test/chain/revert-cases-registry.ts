/** Revert cases of the matcher registry: attestation, registration, lease, equivocation, withdrawals. */
import { signAttestation } from "../../chain/index.js";
import { type BatchHeader, type Hex32, signBatchHeader, ZERO_HASH } from "../../protocol/index.js";
import { enclaveKeyOf, MATCHER_IMAGE, type World } from "./fixture.js";
import type { RevertCase } from "./revert-cases.js";
import { unpayable } from "./revert-cases-marketplace.js";

/** A batch header of the current term; `salt` makes its hash differ. */
export async function header(w: World, salt: number, over: Partial<BatchHeader> = {}): Promise<BatchHeader> {
  const { term } = await w.d.registry.lease();
  return {
    term,
    seq: 5,
    prevHash: ZERO_HASH,
    time: 1,
    eventsHash: `0x${salt.toString(16).padStart(64, "0")}` as Hex32,
    assignmentsHash: ZERO_HASH,
    stateDigest: ZERO_HASH,
    ...over,
  };
}

/** Two leader-signed headers for one (term, seq): an equivocation, reported by `reporter`. */
export async function equivocate(w: World, reporter: Parameters<World["registry"]>[0] = "other") {
  const a = await header(w, 1);
  const b = await header(w, 2);
  const sa = signBatchHeader(w.d.registryDomain, a, w.keys.leader);
  const sb = signBatchHeader(w.d.registryDomain, b, w.keys.leader);
  return (await w.registry(reporter)).reportEquivocation(a, sa, b, sb);
}

async function attestation(
  w: World,
  over: { image?: Hex32; age?: number; key?: Uint8Array; signer?: Uint8Array } = {},
) {
  const now = await w.chain.now();
  return signAttestation(
    w.d.registryDomain,
    over.signer ?? w.keys.verifierKey,
    over.key ?? enclaveKeyOf(w.keys.other),
    over.image ?? MATCHER_IMAGE,
    now - (over.age ?? 0),
  );
}

const BOND = 10n ** 18n;

export const REGISTRY_CASES: RevertCase<World>[] = [
  {
    error: "BadEnclaveKey",
    name: "a 63-byte enclave key",
    run: async (w) => {
      const key = enclaveKeyOf(w.keys.other).subarray(1);
      return (await w.registry("other")).register(key, await attestation(w, { key }), BOND);
    },
  },
  {
    error: "ZeroImage",
    name: "the all-zero (debug) image",
    run: async (w) => {
      await w.d.registry.setMatcherImage(ZERO_HASH, true);
      const att = await attestation(w, { image: ZERO_HASH });
      return (await w.registry("other")).register(enclaveKeyOf(w.keys.other), att, BOND);
    },
  },
  {
    error: "ImageNotAllowed",
    name: "an image that is not whitelisted",
    run: async (w) => {
      const att = await attestation(w, { image: `0x${"cd".repeat(32)}` as Hex32 });
      return (await w.registry("other")).register(enclaveKeyOf(w.keys.other), att, BOND);
    },
  },
  {
    error: "AttestationNotFresh",
    name: "an attestation older than the freshness window",
    run: async (w) => {
      const att = await attestation(w, { age: 3601 });
      return (await w.registry("other")).register(enclaveKeyOf(w.keys.other), att, BOND);
    },
  },
  {
    error: "UntrustedAttestationVerifier",
    name: "an attestation signed by an untrusted key",
    run: async (w) => {
      const att = await attestation(w, { signer: w.keys.other });
      return (await w.registry("other")).register(enclaveKeyOf(w.keys.other), att, BOND);
    },
  },
  {
    error: "WrongBond",
    name: "registration with too small a bond",
    run: async (w) =>
      (await w.registry("other")).register(enclaveKeyOf(w.keys.other), await attestation(w), BOND - 1n),
  },
  {
    error: "AlreadyRegistered",
    name: "registering the same enclave twice",
    run: async (w) => {
      const key = enclaveKeyOf(w.keys.leader);
      return (await w.registry("other")).register(key, await attestation(w, { key }), BOND);
    },
  },
  {
    error: "NotRegistered",
    name: "a claim by an unregistered account",
    run: async (w) => (await w.registry("other")).claim(),
  },
  {
    error: "MatcherSlashed",
    name: "a second report of the same leader's equivocation",
    run: async (w) => {
      await equivocate(w);
      return equivocate(w, "requester");
    },
  },
  {
    error: "LeaseNotExpired",
    name: "a claim while the lease is held",
    run: async (w) => (await w.registry("matcher2")).claim(),
  },
  {
    error: "LeaseNotHeld",
    name: "a renewal by a non-leader",
    run: async (w) => (await w.registry("matcher2")).renew(),
  },
  {
    error: "NotEquivocation",
    name: "the same header twice",
    run: async (w) => {
      const a = await header(w, 1);
      const sa = signBatchHeader(w.d.registryDomain, a, w.keys.leader);
      return (await w.registry("other")).reportEquivocation(a, sa, a, sa);
    },
  },
  {
    error: "UnknownTerm",
    name: "headers of a term nobody held",
    run: async (w) => {
      const a = await header(w, 1, { term: 99 });
      const b = await header(w, 2, { term: 99 });
      const k = w.keys.leader;
      const d = w.d.registryDomain;
      return (await w.registry("other")).reportEquivocation(
        a,
        signBatchHeader(d, a, k),
        b,
        signBatchHeader(d, b, k),
      );
    },
  },
  {
    error: "NothingToWithdraw",
    name: "a registry withdrawal with nothing owed",
    run: async (w) => (await w.registry("other")).withdraw(),
  },
  {
    error: "NotOperator",
    name: "an exit requested by someone else than the operator",
    run: async (w) => (await w.registry("other")).requestExit(w.addr.leader),
  },
  {
    error: "AlreadyExiting",
    name: "a second exit request",
    run: async (w) => {
      const r = await w.registry("matcher2");
      await r.requestExit(w.addr.matcher2);
      return r.requestExit(w.addr.matcher2);
    },
  },
  {
    error: "MatcherExiting",
    name: "a claim by an exiting matcher",
    run: async (w) => {
      const r = await w.registry("matcher2");
      await r.requestExit(w.addr.matcher2);
      return r.claim();
    },
  },
  {
    error: "NotExiting",
    name: "a bond release without an exit",
    run: async (w) => (await w.registry("matcher2")).releaseBond(w.addr.matcher2),
  },
  {
    error: "ExitNotReady",
    name: "a bond release before the exit delay",
    run: async (w) => {
      const r = await w.registry("matcher2");
      await r.requestExit(w.addr.matcher2);
      return r.releaseBond(w.addr.matcher2);
    },
  },
];

/** TransferFailed also exists in the registry: a bounty owed to an account that refuses ether. */
export const REGISTRY_TRANSFER_CASE: RevertCase<World> = {
  error: "TransferFailed",
  name: "a registry bounty to an account that refuses ether",
  run: async (w) => {
    const a = await unpayable(w);
    const reg = w.d.registry.connect(await w.chain.provider.getSigner(a));
    const x = await header(w, 1);
    const y = await header(w, 2);
    const d = w.d.registryDomain;
    await reg.reportEquivocation(
      x,
      signBatchHeader(d, x, w.keys.leader),
      y,
      signBatchHeader(d, y, w.keys.leader),
    );
    return reg.withdraw();
  },
};
