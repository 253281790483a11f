/**
 * The part of snarkjs 0.7 that Kalypso calls (the package ships no types). Signals are decimal
 * strings in and out; proofs are snarkjs' JSON objects.
 */
declare module "snarkjs" {
  type Logger = Partial<Record<"error" | "warn" | "info" | "debug", (...a: unknown[]) => void>> | undefined;
  type Signals = Record<string, unknown>;
  interface FullProof {
    proof: Record<string, unknown>;
    publicSignals: string[];
  }
  export const groth16: {
    fullProve(
      input: Signals,
      wasm: string,
      zkey: string,
      logger?: Logger,
      wtnsCalcOptions?: unknown,
      proverOptions?: { singleThread?: boolean },
    ): Promise<FullProof>;
    verify(vkey: unknown, publicSignals: string[], proof: unknown, logger?: Logger): Promise<boolean>;
  };
  export const plonk: {
    fullProve(
      input: Signals,
      wasm: string,
      zkey: string,
      logger?: Logger,
      wtnsCalcOptions?: unknown,
      proverOptions?: { singleThread?: boolean },
    ): Promise<FullProof>;
    verify(vkey: unknown, publicSignals: string[], proof: unknown, logger?: Logger): Promise<boolean>;
    setup(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
  };
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>;
    beacon(
      oldZkey: string,
      newZkey: string,
      name: string,
      beaconHash: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    exportVerificationKey(zkey: string, logger?: Logger): Promise<Record<string, unknown>>;
    exportSolidityVerifier(zkey: string, templates: Record<string, string>, logger?: Logger): Promise<string>;
  };
  export const powersOfTau: {
    newAccumulator(curve: unknown, power: number, file: string, logger?: Logger): Promise<unknown>;
    contribute(
      oldPtau: string,
      newPtau: string,
      name: string,
      entropy: string,
      logger?: Logger,
    ): Promise<unknown>;
    beacon(
      oldPtau: string,
      newPtau: string,
      name: string,
      beaconHash: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<unknown>;
    preparePhase2(oldPtau: string, newPtau: string, logger?: Logger): Promise<unknown>;
  };
  export const curves: {
    getCurveFromName(name: string): Promise<{ terminate(): Promise<void> }>;
  };
}
