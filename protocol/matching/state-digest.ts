/**
 * An incrementally maintained digest of the matching state: a multiset hash. Every fact of the state
 * (a known request and its status, a live quote, a prover's collateral, an open assignment, ...) is
 * hashed to 64 bits, and the digest is the lane-wise sum mod 2^32 of the hashes of all facts: adding
 * a fact adds its hash, removing it subtracts it. So the digest is updated in O(1) per mutation and
 * never needs a pass over the state, and two replicas holding the same facts hold the same digest
 * whatever order they reached them in. The fact hash is a fast non-cryptographic mix (murmur3 rounds):
 * the digest detects replicas that diverged (a bug, a different build); it is not a commitment
 * against an adversary, who cannot profit from one anyway because every follower recomputes the
 * state from the log itself. Signed messages enter as 64 bits of their EIP-712 id, which binds every
 * signed field.
 */

/** What kind of fact a hash is for, so equal words of different kinds never cancel. */
export const FACT = {
  request: 1,
  quote: 2,
  proverMarket: 3,
  prover: 4,
  assignment: 5,
  market: 6,
} as const;

const SEEDS = [0x9e3779b9, 0x7f4a7c15] as const;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** murmur3's scramble of one word: it does not depend on the lane, so both lanes share it. */
function scramble(w: number): number {
  return Math.imul(rotl(Math.imul(w, 0xcc9e2d51), 15), 0x1b873593);
}

/** murmur3's round constant as an int32: the add stays an int32 add (same bits mod 2^32). */
const ROUND_ADD = 0xe6546b64 | 0;

function round(h: number, k: number): number {
  return (Math.imul(rotl(h ^ k, 13), 5) + ROUND_ADD) | 0;
}

/** murmur3's finalizer of one lane. */
function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** One lane's hash of a fact whose words are already scrambled. */
// biome-ignore format: one round per word reads best in a column
function lane(seed: number, kind: number, a: number, b: number, c: number, d: number, e: number, f: number, g: number, i: number) {
  let h = round(seed ^ kind, a);
  h = round(h, b); h = round(h, c); h = round(h, d); h = round(h, e); h = round(h, f); h = round(h, g); h = round(h, i);
  return finish(h);
}

/**
 * A record's fact hash as it stands in the digest, both lanes (int32). Taking the fact out subtracts
 * it as stored: half the hashing of recomputing it, and every fact that changes goes out once and in
 * once. Whoever restores the record's fields (an undo) hashes it again.
 */
export interface FactHash {
  fact0: number;
  fact1: number;
}

/**
 * Hash a fact of up to eight 32-bit words into `into` (not added to any digest). The same function
 * as `lane` over both seeds, written out round by round with the lanes side by side: each is a chain
 * of dependent multiplies, and two chains in one straight line run in parallel on the CPU, where
 * `lane` called twice (and its rounds as calls: the profile showed `round` and `lane` as functions of
 * their own, not inlined) ran them one after the other.
 */
// biome-ignore format: one round per word and lane reads best in a column
export function hashFact(into: FactHash, kind: number, a: number, b: number, c = 0, d = 0, e = 0, f = 0, g = 0, i = 0): void {
  let h0 = SEEDS[0] ^ kind;
  let h1 = SEEDS[1] ^ kind;
  let k = scramble(a);
  let x = h0 ^ k; h0 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  x = h1 ^ k; h1 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  k = scramble(b);
  x = h0 ^ k; h0 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  x = h1 ^ k; h1 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  k = scramble(c);
  x = h0 ^ k; h0 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  x = h1 ^ k; h1 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  k = scramble(d);
  x = h0 ^ k; h0 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  x = h1 ^ k; h1 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  k = scramble(e);
  x = h0 ^ k; h0 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  x = h1 ^ k; h1 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  k = scramble(f);
  x = h0 ^ k; h0 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  x = h1 ^ k; h1 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  k = scramble(g);
  x = h0 ^ k; h0 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  x = h1 ^ k; h1 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  k = scramble(i);
  x = h0 ^ k; h0 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  x = h1 ^ k; h1 = (Math.imul((x << 13) | (x >>> 19), 5) + ROUND_ADD) | 0;
  into.fact0 = finish(h0);
  into.fact1 = finish(h1);
}

/**
 * The value of a hex digit's char code, without a branch: '0'-'9' are 0x30-0x39 (low nibble 0-9,
 * bit 6 clear), 'a'-'f' and 'A'-'F' are 0x61-0x66 and 0x41-0x46 (low nibble 1-6, bit 6 set, so +9).
 * Ids are random, so a branch on digit or letter mispredicted half the time. Other chars give
 * garbage: ids and addresses are validated hex.
 */
export function hexDigit(c: number): number {
  return (c & 15) + 9 * (c >> 6);
}

/**
 * 32-bit word `i` (0 or 1) of a 0x-hex id or address (ids are already uniform hashes), as an int32:
 * the digest reads only its bits, and an int32 is stored in a record as is, where a word above 2^31
 * would be boxed in a heap number of its own.
 */
export function hexWord(hex: string, i: number): number {
  // Read the digits in place: no substring, no parse (this runs for every request and quote).
  let w = 0;
  for (let k = 2 + 8 * i, end = k + 8; k < end; k++) {
    const c = hex.charCodeAt(k);
    w = (w << 4) | hexDigit(c);
  }
  return w;
}

const TWO_32 = 0x100000000;

/**
 * 32-bit word `i` (0 low, 1 high) of a nonce (u64), unsigned: on floats while the nonce is exact
 * there (no bigint is allocated, and this runs for every quote), with bigint shifts above 2^53 or
 * below 0.
 */
export function nonceWord(nonce: bigint, i: 0 | 1): number {
  const n = Number(nonce);
  if (n >= 0 && n <= Number.MAX_SAFE_INTEGER) return i === 0 ? n % TWO_32 : Math.floor(n / TWO_32);
  return i === 0 ? Number(nonce & 0xffffffffn) : Number(nonce >> 32n);
}

/** A nonce's low and high words (unsigned). */
export function nonceWords(nonce: bigint): [number, number] {
  return [nonceWord(nonce, 0), nonceWord(nonce, 1)];
}

const MASK_64 = (1n << 64n) - 1n;

/** Money folded to 64 bits (two words), so every bit of a 256-bit amount reaches the digest. */
export function moneyWords(v: bigint): [number, number] {
  const x = (v ^ (v >> 64n) ^ (v >> 128n) ^ (v >> 192n)) & MASK_64;
  return [Number(x & 0xffffffffn), Number(x >> 32n)];
}

/**
 * The two 32-bit lanes of the multiset hash: 64 bits, so two replicas that diverged show the same
 * digest by accident with probability ~2^-64 per comparison (two lanes cost half of four per update).
 */
export class StateDigest {
  // The lanes as int32 (no heap number per update); read unsigned through l0 and l1.
  private s0 = 0;
  private s1 = 0;

  /** Lane 0, unsigned. */
  get l0(): number {
    return this.s0 >>> 0;
  }

  /** Lane 1, unsigned. */
  get l1(): number {
    return this.s1 >>> 0;
  }

  /**
   * Add (sign 1) or remove (sign -1) one fact of up to eight 32-bit words. It repeats hashFact's
   * body rather than hash into a scratch record and add that: written that way (and the stored-fact
   * functions through one shared helper) the matching bench measured ~5-10 % slower.
   */
  toggle(sign: 1 | -1, kind: number, a: number, b: number, c = 0, d = 0, e = 0, f = 0, g = 0, i = 0): void {
    const ka = scramble(a);
    const kb = scramble(b);
    const kc = scramble(c);
    const kd = scramble(d);
    const ke = scramble(e);
    const kf = scramble(f);
    const kg = scramble(g);
    const ki = scramble(i);
    // Sums mod 2^32, as int32: the same bits as unsigned sums.
    this.s0 = (this.s0 + sign * lane(SEEDS[0], kind, ka, kb, kc, kd, ke, kf, kg, ki)) | 0;
    this.s1 = (this.s1 + sign * lane(SEEDS[1], kind, ka, kb, kc, kd, ke, kf, kg, ki)) | 0;
  }

  /** Add a fact hashed by `hashFact`. */
  add(h: FactHash): void {
    this.s0 = (this.s0 + h.fact0) | 0;
    this.s1 = (this.s1 + h.fact1) | 0;
  }

  /** Remove a fact as `add` added it. */
  remove(h: FactHash): void {
    this.s0 = (this.s0 - h.fact0) | 0;
    this.s1 = (this.s1 - h.fact1) | 0;
  }

  /** Remove a fact whose hash (lanes `f0`, `f1`) its owner kept elsewhere than in a `FactHash`. */
  subtract(f0: number, f1: number): void {
    this.s0 = (this.s0 - f0) | 0;
    this.s1 = (this.s1 - f1) | 0;
  }

  /** The lanes (to save and restore around a batch). */
  save(): [number, number] {
    return [this.l0, this.l1];
  }

  restore(s: readonly [number, number]): void {
    this.s0 = s[0] | 0;
    this.s1 = s[1] | 0;
  }
}
