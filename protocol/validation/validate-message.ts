/**
 * The whole gossip pipeline for one payload: size bound and strict decode, then the message's rules.
 * Anything wrong comes out as a ProtocolError with a verdict; nothing else is thrown.
 */
import { decodeMessage } from "../codec/messages.js";
import type { Message } from "../messages.js";
import type { ValidationContext } from "./context.js";
import {
  type Validated,
  validateBatch,
  validateCancel,
  validateHeartbeat,
  validateProofAnnouncement,
  validateQuote,
  validateRequest,
} from "./validate.js";

/** A decoded message that passed every rule. */
export interface ValidatedMessage extends Validated {
  message: Message;
}

/** Validate a message already decoded. */
export function validateDecoded(ctx: ValidationContext, message: Message): Validated {
  switch (message.type) {
    case "request":
      return validateRequest(ctx, message.body);
    case "quote":
      return validateQuote(ctx, message.body);
    case "cancel":
      return validateCancel(ctx, message.body);
    case "heartbeat":
      return validateHeartbeat(ctx, message.body);
    case "proof":
      return validateProofAnnouncement(ctx, message.body);
    case "batch":
      return validateBatch(ctx, message.body);
  }
}

/** Decode and validate raw bytes from the network. */
export function validateMessage(ctx: ValidationContext, bytes: Uint8Array): ValidatedMessage {
  const message = decodeMessage(bytes);
  return { message, ...validateDecoded(ctx, message) };
}
