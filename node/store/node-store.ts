/**
 * One LevelDB per node (DESIGN §9). Each kind of record has its sublevel; values are the protocol's
 * canonical encodings, so what is stored is exactly what was validated. Writes that belong
 * together (a request and its inputs; a batch and its assignments) go in one atomic batch.
 */
import { Level } from "level";
import {
  type Assignment,
  decodeMessage,
  encodeMessage,
  type Hex32,
  type MarketRules,
  type SignedBatch,
  type SignedQuote,
  type SignedRequest,
} from "../../protocol/index.js";
import { NodeError } from "../errors.js";
import { hashFromKey, hashKey, seqFromKey, seqKey } from "./keys.js";

type Bytes = Uint8Array;
function openSublevel(db: Level<Bytes, Bytes>, name: string) {
  return db.sublevel<Bytes, Bytes>(name, { keyEncoding: "view", valueEncoding: "view" });
}
type Sub = ReturnType<typeof openSublevel>;
/** One put of an atomic multi-sublevel write. */
type Put = { type: "put"; sublevel: Sub; key: Bytes; value: Bytes };

const EMPTY = new Uint8Array(0);

/** LevelDB hands back Buffers; callers get plain Uint8Arrays (no copy). */
function plain(v: Uint8Array | undefined): Uint8Array | undefined {
  return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** A stored request: the signed message (inline bytes stripped) and its inputs when we hold them. */
export interface StoredRequest {
  id: Hex32;
  signed: SignedRequest;
}

export class NodeStore {
  private constructor(
    private readonly db: Level<Bytes, Bytes>,
    // request id -> encoded request message, inline inputs stripped
    private readonly requests: Sub,
    // quote id -> encoded quote message
    private readonly quotes: Sub,
    // seq (u64 BE) -> encoded batch message
    private readonly log: Sub,
    // content hash -> bytes (public inputs, encrypted private inputs)
    private readonly inputs: Sub,
    // request id -> request id ++ quote id ++ prover ++ price ++ proving time, from the log
    private readonly assignments: Sub,
    // request id -> proof bytes
    private readonly proofs: Sub,
    // cursor name (utf8) -> u64 BE block number
    private readonly cursors: Sub,
    // market id (u64 BE) -> JSON of the market's rules as read from the chain
    private readonly markets: Sub,
  ) {}

  /** Open (creating if needed) the store at `path`. */
  static async open(path: string): Promise<NodeStore> {
    const db = new Level<Bytes, Bytes>(path, { keyEncoding: "view", valueEncoding: "view" });
    await db.open();
    const sub = (name: string) => openSublevel(db, name);
    return new NodeStore(
      db,
      sub("requests"),
      sub("quotes"),
      sub("log"),
      sub("inputs"),
      sub("assignments"),
      sub("proofs"),
      sub("cursors"),
      sub("markets"),
    );
  }

  async close(): Promise<void> {
    if (this.db.status === "open" || this.db.status === "opening") await this.db.close();
  }

  private assertOpen(): void {
    if (this.db.status !== "open") throw new NodeError("STORE_CLOSED", `the store is ${this.db.status}`);
  }

  /** Store a validated request and, in the same write, the inline inputs it carried. */
  async putRequest(id: Hex32, signed: SignedRequest): Promise<void> {
    this.assertOpen();
    const stripped = { ...signed, inputs: EMPTY, secret: EMPTY };
    const ops: Put[] = [
      {
        type: "put",
        sublevel: this.requests,
        key: hashKey(id),
        value: encodeMessage({ type: "request", body: stripped }),
      },
    ];
    if (signed.inputs.length > 0) {
      ops.push({
        type: "put",
        sublevel: this.inputs,
        key: hashKey(signed.request.inputsHash),
        value: signed.inputs,
      });
    }
    if (signed.secret.length > 0) {
      ops.push({
        type: "put",
        sublevel: this.inputs,
        key: hashKey(signed.request.secretHash),
        value: signed.secret,
      });
    }
    await this.db.batch(ops);
  }

  async getRequest(id: Hex32): Promise<SignedRequest | undefined> {
    this.assertOpen();
    const v = await this.requests.get(hashKey(id));
    if (v === undefined) return undefined;
    const m = decodeMessage(v);
    return m.type === "request" ? m.body : undefined;
  }

  async *listRequests(): AsyncGenerator<StoredRequest> {
    this.assertOpen();
    for await (const [k, v] of this.requests.iterator()) {
      const m = decodeMessage(v);
      if (m.type === "request") yield { id: hashFromKey(k), signed: m.body };
    }
  }

  async putQuote(id: Hex32, signed: SignedQuote): Promise<void> {
    this.assertOpen();
    await this.quotes.put(hashKey(id), encodeMessage({ type: "quote", body: signed }));
  }

  async *listQuotes(): AsyncGenerator<{ id: Hex32; signed: SignedQuote }> {
    this.assertOpen();
    for await (const [k, v] of this.quotes.iterator()) {
      const m = decodeMessage(v);
      if (m.type === "quote") yield { id: hashFromKey(k), signed: m.body };
    }
  }

  async deleteQuote(id: Hex32): Promise<void> {
    this.assertOpen();
    await this.quotes.del(hashKey(id));
  }

  /** Content-addressed bytes (inputs) by their keccak256. */
  async putInput(hash: Hex32, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.inputs.put(hashKey(hash), bytes);
  }

  async getInput(hash: Hex32): Promise<Uint8Array | undefined> {
    this.assertOpen();
    return plain(await this.inputs.get(hashKey(hash)));
  }

  /** Append a batch of the log and record its assignments, atomically. */
  async appendBatch(batch: SignedBatch): Promise<void> {
    this.assertOpen();
    const ops: Put[] = [
      {
        type: "put",
        sublevel: this.log,
        key: seqKey(batch.header.seq),
        value: encodeMessage({ type: "batch", body: batch }),
      },
    ];
    for (const a of batch.assignments) {
      ops.push({
        type: "put",
        sublevel: this.assignments,
        key: hashKey(a.requestId),
        value: encodeAssignment(a),
      });
    }
    await this.db.batch(ops);
  }

  async getBatch(seq: number): Promise<SignedBatch | undefined> {
    this.assertOpen();
    const v = await this.log.get(seqKey(seq));
    if (v === undefined) return undefined;
    const m = decodeMessage(v);
    return m.type === "batch" ? m.body : undefined;
  }

  /** Batches from `seq` on, in order, at most `limit`. */
  async *batchesFrom(seq: number, limit = Number.POSITIVE_INFINITY): AsyncGenerator<SignedBatch> {
    this.assertOpen();
    let n = 0;
    for await (const v of this.log.values({ gte: seqKey(seq) })) {
      if (n++ >= limit) return;
      const m = decodeMessage(v);
      if (m.type === "batch") yield m.body;
    }
  }

  /** Sequence number of the last stored batch, or -1 when the log is empty. */
  async lastSeq(): Promise<number> {
    this.assertOpen();
    for await (const k of this.log.keys({ reverse: true, limit: 1 })) return seqFromKey(k);
    return -1;
  }

  async getAssignment(requestId: Hex32): Promise<Assignment | undefined> {
    this.assertOpen();
    const v = await this.assignments.get(hashKey(requestId));
    return v === undefined ? undefined : decodeAssignment(v);
  }

  async putProof(requestId: Hex32, proof: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.proofs.put(hashKey(requestId), proof);
  }

  async getProof(requestId: Hex32): Promise<Uint8Array | undefined> {
    this.assertOpen();
    return plain(await this.proofs.get(hashKey(requestId)));
  }

  /** The chain block a named reader has processed up to, or undefined if it never ran. */
  async getCursor(name: string): Promise<number | undefined> {
    this.assertOpen();
    const v = await this.cursors.get(utf8.encode(name));
    return v === undefined ? undefined : seqFromKey(v);
  }

  async setCursor(name: string, block: number): Promise<void> {
    this.assertOpen();
    await this.cursors.put(utf8.encode(name), seqKey(block));
  }

  /** Remember a market's rules (learned from the chain). */
  async putMarket(marketId: number, rules: MarketRules): Promise<void> {
    this.assertOpen();
    await this.markets.put(seqKey(marketId), utf8.encode(JSON.stringify(rules)));
  }

  async *listMarkets(): AsyncGenerator<{ marketId: number; rules: MarketRules }> {
    this.assertOpen();
    for await (const [k, v] of this.markets.iterator()) {
      yield { marketId: seqFromKey(k), rules: JSON.parse(fromUtf8.decode(v)) as MarketRules };
    }
  }

  /** Names of all cursors (for status). */
  async cursorNames(): Promise<string[]> {
    const names: string[] = [];
    for await (const k of this.cursors.keys()) names.push(fromUtf8.decode(k));
    return names;
  }
}

// Assignments reuse the batch codec: a one-assignment batch body would be wasteful, so encode the
// fields directly with the same widths.
function encodeAssignment(a: Assignment): Uint8Array {
  const price = a.price.toString(16).padStart(64, "0");
  const hex = `${a.requestId.slice(2)}${a.quoteId.slice(2)}${a.prover.slice(2)}${price}${a.provingTime.toString(16).padStart(16, "0")}`;
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

function decodeAssignment(v: Uint8Array): Assignment {
  const hex = Buffer.from(v).toString("hex");
  return {
    requestId: `0x${hex.slice(0, 64)}`,
    quoteId: `0x${hex.slice(64, 128)}`,
    prover: `0x${hex.slice(128, 168)}`,
    price: BigInt(`0x${hex.slice(168, 232)}`),
    provingTime: Number.parseInt(hex.slice(232, 248), 16),
  };
}
