import assert from "node:assert/strict";
import { TypedDataEncoder, Wallet } from "ethers";
import fc from "fast-check";
import {
  type Domain,
  domainSeparator,
  EIP712_TYPES,
  type Eip712TypeName,
  encodeType,
  makeDomain,
  recoverAddressHex,
  structHashAssignment,
  structHashBatchHeader,
  structHashCancel,
  structHashHeartbeat,
  structHashProofAnnouncement,
  structHashQuote,
  structHashRequest,
  toHex,
  typedDataDigest,
} from "../../protocol/index.js";
import {
  address,
  assignment,
  batchHeader,
  cancel,
  heartbeat,
  proofAnnouncement,
  proofRequest,
  quote,
} from "./arbitraries.js";
import { MARKETPLACE } from "./samples.js";

/** Each struct with its hash function and an arbitrary of its values. */
const STRUCTS: { name: Eip712TypeName; hash: (v: never) => Uint8Array; values: fc.Arbitrary<object> }[] = [
  { name: "ProofRequest", hash: structHashRequest, values: proofRequest },
  { name: "Quote", hash: structHashQuote, values: quote },
  { name: "Cancel", hash: structHashCancel, values: cancel },
  { name: "BatchHeader", hash: structHashBatchHeader, values: batchHeader },
  { name: "Assignment", hash: structHashAssignment, values: assignment },
  { name: "Heartbeat", hash: structHashHeartbeat, values: heartbeat },
  { name: "ProofAnnouncement", hash: structHashProofAnnouncement, values: proofAnnouncement },
];

const domainArb: fc.Arbitrary<Domain> = fc
  .tuple(fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }), address)
  .map(([chainId, contract]) => makeDomain(chainId, contract));

function ethersDomain(d: Domain) {
  return { name: d.name, version: d.version, chainId: d.chainId, verifyingContract: d.verifyingContract };
}

describe("protocol/eip712", () => {
  it("covers every struct in EIP712_TYPES", () => {
    assert.deepEqual(STRUCTS.map((s) => s.name).sort(), Object.keys(EIP712_TYPES).sort());
  });

  it("the domain separator equals ethers' TypedDataEncoder.hashDomain", () => {
    fc.assert(
      fc.property(domainArb, (d) => {
        assert.equal(toHex(domainSeparator(d)), TypedDataEncoder.hashDomain(ethersDomain(d)));
      }),
      { numRuns: 100 },
    );
  });

  for (const s of STRUCTS) {
    it(`${s.name}: type string, struct hash and digest equal ethers' TypedDataEncoder`, () => {
      const types = { [s.name]: [...EIP712_TYPES[s.name]] };
      const encoder = TypedDataEncoder.from(types);
      assert.equal(encoder.encodeType(s.name), encodeType(s.name));
      fc.assert(
        fc.property(domainArb, s.values, (d, v) => {
          assert.equal(toHex(s.hash(v as never)), encoder.hashStruct(s.name, v));
          assert.equal(
            toHex(typedDataDigest(d, s.hash(v as never))),
            TypedDataEncoder.hash(ethersDomain(d), types, v),
            `${s.name} digest`,
          );
        }),
        { numRuns: 200 },
      );
    });
  }

  it("an ethers Wallet's signTypedData recovers to its address through our digest", async () => {
    const wallet = Wallet.createRandom();
    const domain = makeDomain(31337, MARKETPLACE);
    const values = fc.sample(quote, { numRuns: 5, seed: 7 });
    for (const q of values) {
      const sig = await wallet.signTypedData(ethersDomain(domain), { Quote: [...EIP712_TYPES.Quote] }, q);
      const signer = recoverAddressHex(typedDataDigest(domain, structHashQuote(q)), sig);
      assert.equal(signer, wallet.address.toLowerCase());
    }
  });
});
