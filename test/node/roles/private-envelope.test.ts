import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  checkSecretPolicy,
  decodeEnvelope,
  encodeEnvelope,
  isSealedEnvelope,
  openEnvelope,
  sealWitness,
} from "../../../node/roles/private-envelope.js";
import { PrivateInputsError } from "../../../node/roles/private-errors.js";
import { EmulatedEnclave } from "../../../node/tee/emulated-enclave.js";
import { TeeError } from "../../../node/tee/errors.js";
import { rewrapInputKey } from "../../../node/tee/private-inputs.js";

const attestationKey = new Uint8Array(randomBytes(32));
const enclave = () => new EmulatedEnclave({ attestationKey });
const WITNESS = new TextEncoder().encode('{"hash":"1","preimage":"8675309"}');

function code(err: unknown): string {
  return (err as { code: string }).code;
}

describe("node/roles/private-envelope: sealed witnesses (emulated enclaves)", () => {
  it("seals to the leader, which re-wraps to the prover, which opens it; the envelope round-trips", async () => {
    const leader = enclave();
    const prover = enclave();
    const sealed = sealWitness(WITNESS, [leader]);
    assert.ok(isSealedEnvelope(sealed));
    const env = decodeEnvelope(sealed);
    assert.deepEqual(encodeEnvelope(env), sealed);
    assert.equal(env.keys[0]!.to, leader.address);
    assert.ok(!Buffer.from(sealed).includes(Buffer.from("8675309")), "no plaintext in the envelope");
    const toProver = await rewrapInputKey(leader, env.keys[0]!.wrappedKey, prover.publicKey, prover.address);
    assert.deepEqual(await openEnvelope(prover, env, toProver), WITNESS);
  });

  it("the wrong enclave cannot read the witness: ENCLAVE_DECRYPT_FAILED, for the leader's key and the prover's", async () => {
    const leader = enclave();
    const prover = enclave();
    const other = enclave();
    const env = decodeEnvelope(sealWitness(WITNESS, [leader]));
    await assert.rejects(openEnvelope(other, env, env.keys[0]!.wrappedKey), (e) => {
      return e instanceof TeeError && e.code === "ENCLAVE_DECRYPT_FAILED";
    });
    const toProver = await rewrapInputKey(leader, env.keys[0]!.wrappedKey, prover.publicKey);
    await assert.rejects(openEnvelope(other, env, toProver), (e) => code(e) === "ENCLAVE_DECRYPT_FAILED");
    // Nor can another matcher re-wrap a key that was not sealed to it.
    await assert.rejects(
      rewrapInputKey(other, env.keys[0]!.wrappedKey, prover.publicKey),
      (e) => code(e) === "ENCLAVE_DECRYPT_FAILED",
    );
  });

  it("a tampered ciphertext fails its tag: INPUTS_TAMPERED; a re-wrap to a key that is not the attested address: ENCLAVE_BAD_KEY", async () => {
    const leader = enclave();
    const prover = enclave();
    const env = decodeEnvelope(sealWitness(WITNESS, [leader]));
    const toProver = await rewrapInputKey(leader, env.keys[0]!.wrappedKey, prover.publicKey);
    for (const at of [0, 20, env.ciphertext.length - 1]) {
      const ciphertext = env.ciphertext.slice();
      ciphertext[at]! ^= 1;
      await assert.rejects(openEnvelope(prover, { ...env, ciphertext }, toProver), (e) => {
        return e instanceof TeeError && e.code === "INPUTS_TAMPERED";
      });
    }
    await assert.rejects(
      rewrapInputKey(leader, env.keys[0]!.wrappedKey, prover.publicKey, enclave().address),
      (e) => code(e) === "ENCLAVE_BAD_KEY",
    );
  });

  it("enforces the market's rule: sealed only where TEE provers are required, plaintext only elsewhere", () => {
    const sealed = sealWitness(WITNESS, [enclave()]);
    const refused = (requiresTee: boolean, secret: Uint8Array, want: string) =>
      assert.throws(
        () => checkSecretPolicy(requiresTee, secret),
        (e) => e instanceof PrivateInputsError && e.code === want,
      );
    refused(false, sealed, "PRIVATE_SEALED_IN_OPEN_MARKET");
    refused(true, WITNESS, "PRIVATE_PLAINTEXT_IN_TEE_MARKET");
    refused(true, sealed.subarray(0, 30), "PRIVATE_MALFORMED");
    checkSecretPolicy(true, sealed);
    checkSecretPolicy(false, WITNESS);
    checkSecretPolicy(true, new Uint8Array(0));
  });
});
