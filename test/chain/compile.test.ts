/** The compile step: solc from npm, cached by source hash, coded errors. */
import { strict as assert } from "node:assert";
import { ChainError, compileContracts, readSources } from "../../chain/index.js";

const source = (n: number) =>
  `// SPDX-License-Identifier: Apache-2.0\npragma solidity ^0.8.24;\ncontract Probe { function f() external pure returns (uint256) { return ${n}; } }\n`;

describe("chain: compile", () => {
  it("our contracts compile, each under the EIP-170 size limit", () => {
    const a = compileContracts();
    for (const name of ["Marketplace", "MatcherRegistry", "TestVerifier"]) {
      assert.ok(a[name], name);
      assert.ok(
        a[name]!.deployedSize > 0 && a[name]!.deployedSize <= 24_576,
        `${name} ${a[name]!.deployedSize} bytes`,
      );
    }
    assert.ok(Object.keys(readSources()).includes("test/TestVerifier.sol"));
  });

  it("a second compile of the same sources is served from the cache; a changed source is recompiled", function () {
    this.timeout(30_000);
    const n = 1;
    compileContracts({ "Probe.sol": source(n) });
    const t = Date.now();
    const again = compileContracts({ "Probe.sol": source(n) });
    assert.ok(Date.now() - t < 100, "cached");
    const changed = compileContracts({ "Probe.sol": source(n + 1) });
    assert.notEqual(changed.Probe!.bytecode, again.Probe!.bytecode);
  });

  it("a source that does not compile throws CHAIN_COMPILE_FAILED with solc's message", () => {
    assert.throws(
      () => compileContracts({ "Bad.sol": "pragma solidity ^0.8.24; contract Bad { function }" }),
      (e: unknown) =>
        e instanceof ChainError && e.code === "CHAIN_COMPILE_FAILED" && /Bad\.sol/.test(e.message),
    );
  });
});
