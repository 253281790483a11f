/**
 * A node's identity: one secp256k1 key gives both its libp2p peer id and its Ethereum address, so a
 * peer's gossip identity and its on-chain identity are provably the same party. The key comes from
 * an environment variable or a file created with mode 0600; it is never logged.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import type { PeerId, PrivateKey } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { type Address, fromHex, privateKeyToAddress, toHex } from "../protocol/index.js";
import { NodeError } from "./errors.js";

/** Environment variable that carries a node's key as 0x-hex, instead of a key file. */
export const PRIVATE_KEY_ENV = "KALYPSO_PRIVATE_KEY";

const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

export interface NodeIdentity {
  /** Raw 32-byte secp256k1 secret: signs protocol messages and chain transactions. */
  readonly privateKey: Uint8Array;
  readonly address: Address;
  /** The same key as libp2p sees it. */
  readonly libp2pKey: PrivateKey;
  readonly peerId: PeerId;
}

/** The identity of a raw 32-byte key; throws IDENTITY_BAD_KEY when it is not a valid secp256k1 secret. */
export function identityFromKey(privateKey: Uint8Array): NodeIdentity {
  const k = privateKey.length === 32 ? BigInt(toHex(privateKey)) : 0n;
  if (k === 0n || k >= CURVE_ORDER) {
    throw new NodeError(
      "IDENTITY_BAD_KEY",
      "the node key must be 32 bytes, non-zero and below the secp256k1 order",
    );
  }
  const libp2pKey = privateKeyFromRaw(privateKey);
  return {
    privateKey,
    address: privateKeyToAddress(privateKey),
    libp2pKey,
    peerId: peerIdFromPrivateKey(libp2pKey),
  };
}

function parseKeyHex(text: string, source: string): Uint8Array {
  const hex = text.trim();
  const withPrefix = hex.startsWith("0x") ? hex : `0x${hex}`;
  try {
    const key = fromHex(withPrefix);
    if (key.length === 32) return key;
  } catch {
    // fall through to the coded error: never echo the text, it may be a key
  }
  throw new NodeError("IDENTITY_BAD_KEY", `${source} must hold a 32-byte secp256k1 key as hex`);
}

/**
 * The key from `KALYPSO_PRIVATE_KEY` if set, else from `keyFile`, creating the file (mode 0600)
 * with a fresh key when it does not exist. A key file readable by others is refused.
 */
export async function loadIdentity(
  keyFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NodeIdentity & { created: boolean }> {
  const fromEnv = env[PRIVATE_KEY_ENV];
  if (fromEnv) return { ...identityFromKey(parseKeyHex(fromEnv, PRIVATE_KEY_ENV)), created: false };
  let info: { mode: number } | undefined;
  try {
    info = await stat(keyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  if (info === undefined) {
    let key: Uint8Array;
    do key = new Uint8Array(randomBytes(32));
    while (BigInt(toHex(key)) === 0n || BigInt(toHex(key)) >= CURVE_ORDER);
    await mkdir(dirname(keyFile), { recursive: true });
    await writeFile(keyFile, `${toHex(key)}\n`, { mode: 0o600, flag: "wx" });
    await chmod(keyFile, 0o600);
    return { ...identityFromKey(key), created: true };
  }
  if ((info.mode & 0o077) !== 0) {
    throw new NodeError(
      "IDENTITY_KEY_FILE_MODE",
      `key file ${keyFile} is readable by others (mode ${(info.mode & 0o777).toString(8)}): chmod 600 ${keyFile}`,
    );
  }
  return {
    ...identityFromKey(parseKeyHex(await readFile(keyFile, "utf8"), `key file ${keyFile}`)),
    created: false,
  };
}
