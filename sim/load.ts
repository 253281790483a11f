/** The scenarios' load generator: requests submitted round-robin, and their outcomes collected. */
import { encodeInputsPublic } from "../node/prover/inputs.js";
import type { ProofOutcome } from "../node/roles/requester.js";
import { SIM_REQUEST_PROVING_TIME_S, type SimNetwork } from "./network.js";
import { pollUntil, SimError } from "./poll.js";
import type { SimRecorder, SimTrace } from "./recorder.js";

/** Submits the sim's requests round-robin over requesters and markets; collects outcomes. */
export class Load {
  readonly outcomes: ProofOutcome[] = [];
  /** Codes of requests that could not be made (RequesterError): reported, and counted as lost. */
  readonly errors: string[] = [];
  private readonly inFlight: Promise<void>[] = [];
  submitted = 0;

  constructor(
    private readonly net: SimNetwork,
    /** Where a timeout looks up what the requests still open were doing. */
    private readonly rec?: SimRecorder,
  ) {}

  submit(n: number): void {
    for (let k = 0; k < n; k++) {
      const i = this.submitted++;
      const r = this.net.requesters[i % this.net.requesters.length]!;
      const m = this.net.markets[i % this.net.markets.length]!;
      const witness = { hash: String(1000 + i), preimage: String(i) };
      this.inFlight.push(
        r.requester
          .requestProof({
            marketId: m.marketId,
            publicInputs: encodeInputsPublic(m.description.inputs, witness),
            witness: new TextEncoder().encode(JSON.stringify(witness)),
            maxPrice: 10n ** 15n,
            provingTime: SIM_REQUEST_PROVING_TIME_S,
            assignWithinS: 120,
          })
          .then(
            (o) => void this.outcomes.push(o),
            (err: { code?: string }) => void this.errors.push(err.code ?? "UNKNOWN"),
          ),
      );
    }
  }

  /** Submit `n` requests at `perSecond` (open loop: the pace does not wait for outcomes). */
  async submitPaced(n: number, perSecond: number): Promise<void> {
    const start = Date.now();
    for (let k = 0; k < n; k++) {
      const due = start + (k * 1000) / perSecond;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      this.submit(1);
    }
  }

  /** Wait until every submitted request has an outcome (by default 90 s, or 2 s per request if longer). */
  async settled(timeoutMs = Math.max(90_000, this.submitted * 2000)): Promise<void> {
    try {
      await pollUntil(
        () => this.outcomes.length + this.errors.length >= this.submitted,
        "every request to end",
        timeoutMs,
      );
    } catch (err) {
      throw err instanceof SimError ? await this.withOpenRequests(err) : err;
    }
    await Promise.all(this.inFlight);
  }

  /** The timeout, saying where each request still open stood (ms after publication, and on-chain). */
  async withOpenRequests(err: SimError): Promise<SimError> {
    if (!this.rec) return err;
    const open = [...this.rec.traces.values()].filter((t) => !t.outcome);
    const at = (ms: number | undefined, t: SimTrace) => (ms === undefined ? "-" : ms - t.publishedAt);
    const onChain = (id: string) =>
      this.net.world.deployment.marketplace
        .requestState(id as `0x${string}`)
        .then((r) => r.status)
        .catch(() => "?");
    const lines = await Promise.all(
      open.map(
        async (t) =>
          `${t.requestId.slice(0, 10)} prover ${t.prover ?? "-"} held ${at(t.heldAt, t)} anchored ${at(t.assignedAt, t)} on-chain ${await onChain(t.requestId)}`,
      ),
    );
    return new SimError(err.code, `${err.message}; ${open.length} open: ${lines.join("; ")}`);
  }
}
