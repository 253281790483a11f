/**
 * `kalypso decode`: decode a wire message (hex or a file) and print it as JSON, or the coded error
 * that a node would reject it with. For debugging captured gossip.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { decodeMessage, fromHex, ProtocolError, toHex } from "../../protocol/index.js";

function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return toHex(v);
      return v;
    },
    2,
  );
}

export function registerDecodeCommand(program: Command): void {
  program
    .command("decode")
    .description("decode a wire-encoded Kalypso message and print it as JSON")
    .argument("<message>", "0x-hex of the message, or @path to a file holding the raw bytes")
    .action(async (arg: string) => {
      let bytes: Uint8Array;
      try {
        bytes = arg.startsWith("@") ? new Uint8Array(await readFile(arg.slice(1))) : fromHex(arg);
      } catch (err) {
        console.error(`cannot read the message: ${(err as Error).message}`);
        process.exitCode = 2;
        return;
      }
      try {
        console.log(toJson(decodeMessage(bytes)));
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        console.error(toJson({ verdict: err.verdict, code: err.code, message: err.message }));
        process.exitCode = 1;
      }
    });
}
