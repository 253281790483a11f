/** Every custom error of every contract, provoked on a real anvil and surfaced as its coded ChainError. */
import { strict as assert } from "node:assert";
import { Interface } from "ethers";
import { CONTRACT_ERROR_CODES } from "../../chain/index.js";
import { expectCode, setupWorld, type World } from "./fixture.js";
import { MARKETPLACE_CASES } from "./revert-cases-marketplace.js";
import { REGISTRY_CASES, REGISTRY_TRANSFER_CASE } from "./revert-cases-registry.js";

const CASES = [...MARKETPLACE_CASES, ...REGISTRY_CASES, REGISTRY_TRANSFER_CASE];

describe("chain: every revert path has its custom error and code", () => {
  let w: World;
  let snap: string;
  before(async () => {
    w = await setupWorld();
  });
  after(async () => {
    await w?.chain.stop();
  });
  beforeEach(async () => {
    snap = await w.chain.snapshot();
  });
  afterEach(async () => {
    await w.chain.revert(snap);
  });

  it("the code table covers exactly the custom errors in the ABIs", () => {
    const names = new Set<string>();
    for (const c of ["Marketplace", "MatcherRegistry"]) {
      for (const f of new Interface(w.d.artifacts[c]!.abi as never).fragments) {
        if (f.type === "error") names.add((f as unknown as { name: string }).name);
      }
    }
    assert.deepEqual([...names].sort(), Object.keys(CONTRACT_ERROR_CODES).sort());
  });

  it("every custom error has a case below", () => {
    const covered = new Set(CASES.map((c) => c.error));
    const missing = Object.keys(CONTRACT_ERROR_CODES).filter((e) => !covered.has(e as never));
    assert.deepEqual(missing, []);
  });

  for (const c of CASES) {
    it(`${c.error}: ${c.name}`, async () => {
      const e = await expectCode(c.run(w), CONTRACT_ERROR_CODES[c.error]);
      assert.equal(e.errorName, c.error);
    });
  }
});
