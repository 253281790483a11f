/**
 * The canonical wire encoding of every message: [type tag u8][version u8][fields]. Decoding is
 * strict: size bound first, then every field, then no trailing bytes. One value has exactly one
 * encoding, so the hash of the bytes is a stable gossip message id.
 */
import { concat } from "../bytes.js";
import { MAX_BATCH_EVENTS, MAX_MESSAGE_BYTES, MESSAGE_TAGS, PROTOCOL_VERSION } from "../constants.js";
import { keccak, structHashAssignment } from "../eip712.js";
import { reject } from "../errors.js";
import type { Assignment, LogEvent, Message, MessageType, SignedBatch } from "../messages.js";
import {
  FIELD_LIMITS,
  readAssignment,
  readBatchHeader,
  readCancel,
  readHeartbeat,
  readProofAnnouncement,
  readQuote,
  readRequest,
  sig,
  writeAssignment,
  writeBatchHeader,
  writeCancel,
  writeHeartbeat,
  writeProofAnnouncement,
  writeQuote,
  writeRequest,
} from "./fields.js";
import { readLogEvent, writeLogEvent } from "./log-events.js";
import { Reader } from "./reader.js";
import { Writer } from "./writer.js";

const TYPE_BY_TAG = new Map<number, MessageType>(
  (Object.entries(MESSAGE_TAGS) as [MessageType, number][]).map(([t, tag]) => [tag, t]),
);

/** Encode any message. Throws INVALID_FIELD naming the field when a value does not fit. */
export function encodeMessage(m: Message): Uint8Array {
  const w = new Writer(m.type === "batch" ? 4096 : 256);
  w.u8(MESSAGE_TAGS[m.type], "type").u8(PROTOCOL_VERSION, "version");
  switch (m.type) {
    case "request":
      writeRequest(w, m.body.request);
      w.fixedHex(m.body.signature, 65, "request.signature")
        .bytes(m.body.inputs, FIELD_LIMITS.inputs, "request.inputs")
        .bytes(m.body.secret, FIELD_LIMITS.secret, "request.secret");
      break;
    case "quote":
      writeQuote(w, m.body.quote);
      w.fixedHex(m.body.signature, 65, "quote.signature");
      break;
    case "cancel":
      writeCancel(w, m.body.cancel);
      w.fixedHex(m.body.signature, 65, "cancel.signature");
      break;
    case "heartbeat":
      writeHeartbeat(w, m.body.heartbeat);
      w.fixedHex(m.body.signature, 65, "heartbeat.signature");
      break;
    case "proof":
      writeProofAnnouncement(w, m.body.announcement);
      w.fixedHex(m.body.signature, 65, "proof.signature").bytes(
        m.body.proof,
        FIELD_LIMITS.proof,
        "proof.proof",
      );
      break;
    case "batch":
      writeBatch(w, m.body);
      break;
  }
  const out = w.finish();
  if (out.length > MAX_MESSAGE_BYTES[m.type]) {
    throw reject(
      "INVALID_FIELD",
      `${m.type} encodes to ${out.length} bytes, at most ${MAX_MESSAGE_BYTES[m.type]}`,
    );
  }
  return out;
}

function writeBatch(w: Writer, b: SignedBatch): void {
  writeBatchHeader(w, b.header);
  w.fixedHex(b.signature, 65, "batch.signature");
  if (b.events.length > MAX_BATCH_EVENTS) {
    throw reject("INVALID_FIELD", `batch.events has ${b.events.length} events, at most ${MAX_BATCH_EVENTS}`);
  }
  w.u32(b.events.length, "batch.events.length");
  for (let i = 0; i < b.events.length; i++) {
    // Length-prefixed so each event's bytes (and so its hash) are delimited without re-encoding.
    const at = w.length;
    w.u32(0, "batch.event.length");
    writeLogEvent(w, b.events[i]!);
    w.patchU32(at, w.length - at - 4);
  }
  if (b.assignments.length > FIELD_LIMITS.assignments) {
    throw reject(
      "INVALID_FIELD",
      `batch.assignments has ${b.assignments.length}, at most ${FIELD_LIMITS.assignments}`,
    );
  }
  w.u32(b.assignments.length, "batch.assignments.length");
  for (const a of b.assignments) writeAssignment(w, a);
}

/**
 * Decode any message, strictly. Throws a REJECT ProtocolError: DECODE_EMPTY, DECODE_OVERSIZED,
 * DECODE_UNKNOWN_TYPE, DECODE_UNKNOWN_VERSION, DECODE_TRUNCATED, DECODE_TRAILING_BYTES,
 * DECODE_NON_CANONICAL or DECODE_OUT_OF_RANGE. Never throws anything else, whatever the bytes.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  // [REJECT] empty input
  if (bytes.length === 0) throw reject("DECODE_EMPTY", "message is empty");
  const type = TYPE_BY_TAG.get(bytes[0]!);
  // [REJECT] unknown type tag
  if (type === undefined)
    throw reject("DECODE_UNKNOWN_TYPE", `message type tag 0x${bytes[0]!.toString(16)} is unknown`);
  // [REJECT] larger than the type's bound: checked before any decoding work
  if (bytes.length > MAX_MESSAGE_BYTES[type]) {
    throw reject("DECODE_OVERSIZED", `${type} is ${bytes.length} bytes, at most ${MAX_MESSAGE_BYTES[type]}`);
  }
  const r = new Reader(bytes);
  r.u8("type");
  const version = r.u8("version");
  // [REJECT] a version this node does not speak
  if (version !== PROTOCOL_VERSION) {
    throw reject("DECODE_UNKNOWN_VERSION", `${type} version ${version} is not ${PROTOCOL_VERSION}`);
  }
  const m = readBody(r, type);
  r.end(type);
  return m;
}

function readBody(r: Reader, type: MessageType): Message {
  switch (type) {
    case "request":
      return {
        type,
        body: {
          request: readRequest(r),
          signature: sig(r, "request.signature"),
          inputs: r.bytes(FIELD_LIMITS.inputs, "request.inputs"),
          secret: r.bytes(FIELD_LIMITS.secret, "request.secret"),
        },
      };
    case "quote":
      return { type, body: { quote: readQuote(r), signature: sig(r, "quote.signature") } };
    case "cancel":
      return { type, body: { cancel: readCancel(r), signature: sig(r, "cancel.signature") } };
    case "heartbeat":
      return { type, body: { heartbeat: readHeartbeat(r), signature: sig(r, "heartbeat.signature") } };
    case "proof":
      return {
        type,
        body: {
          announcement: readProofAnnouncement(r),
          signature: sig(r, "proof.signature"),
          proof: r.bytes(FIELD_LIMITS.proof, "proof.proof"),
        },
      };
    case "batch":
      return { type, body: readBatch(r) };
  }
}

function readBatch(r: Reader): SignedBatch {
  const header = readBatchHeader(r);
  const signature = sig(r, "batch.signature");
  const eventCount = r.u32("batch.events.length");
  // [REJECT] more events than a batch may hold
  if (eventCount > MAX_BATCH_EVENTS) {
    throw reject("DECODE_OVERSIZED", `batch.events has ${eventCount} events, at most ${MAX_BATCH_EVENTS}`);
  }
  const events: LogEvent[] = [];
  for (let i = 0; i < eventCount; i++) {
    const len = r.u32(`batch.events[${i}].length`);
    const inner = new Reader(r.view(len, `batch.events[${i}]`));
    events.push(readLogEvent(inner));
    inner.end(`batch.events[${i}]`);
  }
  const assignmentCount = r.u32("batch.assignments.length");
  if (assignmentCount > FIELD_LIMITS.assignments) {
    throw reject(
      "DECODE_OVERSIZED",
      `batch.assignments has ${assignmentCount}, at most ${FIELD_LIMITS.assignments}`,
    );
  }
  const assignments: Assignment[] = [];
  for (let i = 0; i < assignmentCount; i++) assignments.push(readAssignment(r, `batch.assignments[${i}]`));
  return { header, signature, events, assignments };
}

/** Encode one log event on its own (its hash is what `eventsHash` chains). */
export function encodeLogEvent(e: LogEvent): Uint8Array {
  const w = new Writer(256);
  writeLogEvent(w, e);
  return w.finish();
}

/** keccak256 over the keccak256 of every encoded event, in order: binds the body to the header. */
export function eventsHash(events: readonly LogEvent[]): Uint8Array {
  return keccak(concat(events.map((e) => keccak(encodeLogEvent(e)))));
}

/** keccak256 over the EIP-712 struct hash of every assignment, in order (what the contract recomputes). */
export function assignmentsHash(assignments: readonly Assignment[]): Uint8Array {
  return keccak(concat(assignments.map(structHashAssignment)));
}
