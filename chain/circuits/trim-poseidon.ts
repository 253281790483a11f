/**
 * Trims circomlib's `poseidon_constants.circom` to the widths a build uses. circom compiles every
 * branch of `POSEIDON_C(t)` and friends into the witness generator, which makes a 200-constraint
 * circuit's wasm 1.6 MB; with two widths it is a few hundred KB. Only constants are dropped, so the
 * circuit (and its r1cs) is the same as with the full file.
 */

/**
 * Keep only the `if (t==N)` branches for N in `widths`. Relies on circomlib's layout: each
 * function is `if (t==2) {...} else if (t==3) {...} ... else {...}`, one branch header per line,
 * and the first branch is t==2 (which must be kept, so the `if` survives).
 */
export function trimPoseidonConstants(source: string, widths: readonly number[]): string {
  if (!widths.includes(2)) throw new Error("trimPoseidonConstants: width 2 opens every branch chain");
  const branch = /^\s*(\}\s*else\s+)?if\s*\(\s*t\s*==\s*(\d+)\s*\)\s*\{\s*$/;
  const elseOnly = /^\s*\}\s*else\s*\{\s*$/;
  const out: string[] = [];
  let keep = true;
  for (const line of source.split("\n")) {
    const m = branch.exec(line);
    if (m) keep = widths.includes(Number(m[2]));
    else if (elseOnly.test(line)) keep = true;
    if (keep) out.push(line);
  }
  return out.join("\n");
}
