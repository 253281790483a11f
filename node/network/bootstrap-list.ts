/**
 * The bootstrap-list file: one multiaddr per line, each ending in /p2p/<peer id>; blank lines and
 * lines starting with # are ignored. Errors name the line.
 */
import { readFile } from "node:fs/promises";
import { multiaddr } from "@multiformats/multiaddr";
import { NodeError } from "../errors.js";

/** Parse a bootstrap list; `source` names it in errors. */
export function parseBootstrapList(text: string, source = "bootstrap list"): string[] {
  const peers: string[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    let addr: string;
    try {
      addr = multiaddr(line).toString();
    } catch (err) {
      throw new NodeError(
        "CONFIG_INVALID",
        `${source} line ${i + 1}: not a multiaddr (${(err as Error).message})`,
      );
    }
    if (!/\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/.test(addr)) {
      throw new NodeError("CONFIG_INVALID", `${source} line ${i + 1}: ${addr} must end in /p2p/<peer id>`);
    }
    peers.push(addr);
  }
  return peers;
}

/** Read and parse a bootstrap-list file. */
export async function readBootstrapList(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new NodeError(
      "CONFIG_INVALID",
      `bootstrap list ${path} is not readable: ${(err as Error).message}`,
    );
  }
  return parseBootstrapList(text, `bootstrap list ${path}`);
}

/** Render a bootstrap list, e.g. for the peers a bootstrap node listens on. */
export function formatBootstrapList(peers: readonly string[], comment?: string): string {
  return `${comment ? `# ${comment}\n` : ""}${peers.join("\n")}\n`;
}
