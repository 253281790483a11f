/**
 * Encoding of the events a batch sequences. Each event is one kind byte and its fields; signed
 * messages travel without their inline inputs (those are fetched by hash), so an event's bytes and
 * hash are the same on every node.
 */

import { reject } from "../errors.js";
import type { LogEvent, LogEventKind } from "../messages.js";
import {
  addr,
  b32,
  readCancel,
  readQuote,
  readRequest,
  sig,
  writeCancel,
  writeQuote,
  writeRequest,
} from "./fields.js";
import type { Reader } from "./reader.js";
import type { Writer } from "./writer.js";

/** Kind byte of each log event. */
export const LOG_EVENT_TAGS: Record<LogEventKind, number> = {
  request: 0x01,
  quote: 0x02,
  cancel: 0x03,
  market: 0x10,
  collateral: 0x11,
  anchored: 0x12,
  proven: 0x13,
  slashed: 0x14,
};

const EMPTY = new Uint8Array(0);

export function writeLogEvent(w: Writer, e: LogEvent): void {
  w.u8(LOG_EVENT_TAGS[e.kind], "event.kind");
  switch (e.kind) {
    case "request":
      writeRequest(w, e.signed.request);
      w.fixedHex(e.signed.signature, 65, "request.signature");
      return;
    case "quote":
      writeQuote(w, e.signed.quote);
      w.fixedHex(e.signed.signature, 65, "quote.signature");
      return;
    case "cancel":
      writeCancel(w, e.signed.cancel);
      w.fixedHex(e.signed.signature, 65, "cancel.signature");
      return;
    case "market":
      w.u64(e.marketId, "market.marketId")
        .u256(e.collateralPerRequest, "market.collateralPerRequest")
        .u64(e.minProvingTime, "market.minProvingTime")
        .u64(e.maxProvingTime, "market.maxProvingTime")
        .bool(e.requiresTee, "market.requiresTee")
        .u64(e.block, "market.block");
      return;
    case "collateral":
      w.fixedHex(e.prover, 20, "collateral.prover")
        .u256(e.total, "collateral.total")
        .u64(e.block, "collateral.block");
      return;
    case "anchored":
    case "proven":
    case "slashed":
      w.fixedHex(e.requestId, 32, `${e.kind}.requestId`).u64(e.block, `${e.kind}.block`);
      return;
  }
}

export function readLogEvent(r: Reader): LogEvent {
  const tag = r.u8("event.kind");
  switch (tag) {
    case LOG_EVENT_TAGS.request:
      return {
        kind: "request",
        signed: {
          request: readRequest(r),
          signature: sig(r, "request.signature"),
          inputs: EMPTY,
          secret: EMPTY,
        },
      };
    case LOG_EVENT_TAGS.quote:
      return { kind: "quote", signed: { quote: readQuote(r), signature: sig(r, "quote.signature") } };
    case LOG_EVENT_TAGS.cancel:
      return { kind: "cancel", signed: { cancel: readCancel(r), signature: sig(r, "cancel.signature") } };
    case LOG_EVENT_TAGS.market:
      return {
        kind: "market",
        marketId: r.u64("market.marketId"),
        collateralPerRequest: r.u256("market.collateralPerRequest"),
        minProvingTime: r.u64("market.minProvingTime"),
        maxProvingTime: r.u64("market.maxProvingTime"),
        requiresTee: r.bool("market.requiresTee"),
        block: r.u64("market.block"),
      };
    case LOG_EVENT_TAGS.collateral:
      return {
        kind: "collateral",
        prover: addr(r, "collateral.prover"),
        total: r.u256("collateral.total"),
        block: r.u64("collateral.block"),
      };
    case LOG_EVENT_TAGS.anchored:
      return { kind: "anchored", requestId: b32(r, "anchored.requestId"), block: r.u64("anchored.block") };
    case LOG_EVENT_TAGS.proven:
      return { kind: "proven", requestId: b32(r, "proven.requestId"), block: r.u64("proven.block") };
    case LOG_EVENT_TAGS.slashed:
      return { kind: "slashed", requestId: b32(r, "slashed.requestId"), block: r.u64("slashed.block") };
    default:
      // [REJECT] an event kind this protocol version does not define
      throw reject("DECODE_UNKNOWN_TYPE", `event.kind 0x${tag.toString(16)} is not a known log event`);
  }
}
