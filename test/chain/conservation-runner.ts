/** Runs random steps against the contract and the model at once, and checks them against each other. */
import { strict as assert } from "node:assert";
import type { ChainErrorCode, MarketplaceClient } from "../../chain/index.js";
import { type Address, requestId, ZERO_HASH } from "../../protocol/index.js";
import {
  BOUNTY,
  C,
  Model,
  type ModelRequest,
  QUOTE_PROVING_TIME,
  type Step,
  TO_TREASURY,
  WITHDRAWAL_DELAY,
} from "./conservation-model.js";
import { ACCEPT, expectCode, INPUTS, INPUTS_HASH, REJECT, type Role, type World } from "./fixture.js";

const PARTIES: Role[] = ["requester", "requester2", "prover", "prover2", "other"];
const REQUESTERS: Role[] = ["requester", "requester2"];
const PROVERS: Role[] = ["prover", "prover2"];

/** Clients per role, the world, and a nonce source shared by every run. */
export class Runner {
  private nonce = 0n;
  readonly steps = {
    total: 0,
    reverted: 0,
    succeeded: {} as Record<string, number>,
    failed: {} as Record<string, number>,
    codes: {} as Record<string, number>,
  };
  private constructor(
    readonly w: World,
    private readonly clients: Record<Role, MarketplaceClient>,
  ) {}

  static async create(w: World): Promise<Runner> {
    const clients = {} as Record<Role, MarketplaceClient>;
    for (const r of [...PARTIES, "owner"] as Role[]) clients[r] = await w.market(r);
    return new Runner(w, clients);
  }

  /** A fresh model of the state right after the world was set up (nothing funded). */
  async freshModel(): Promise<Model> {
    const m = new Model();
    m.now = await this.w.chain.now();
    return m;
  }

  private addr(r: Role): Address {
    return this.w.addr[r];
  }

  /** The next transaction's block time is exactly `m.now + 1`, so the model knows it. */
  private async tick(m: Model): Promise<void> {
    m.now += 1;
    await this.w.chain.provider.send("evm_setNextBlockTimestamp", [m.now]);
  }

  private async fails(m: Model, p: () => Promise<unknown>, code: ChainErrorCode): Promise<void> {
    await this.tick(m);
    await expectCode(p(), code);
    this.steps.reverted++;
    this.steps.codes[code] = (this.steps.codes[code] ?? 0) + 1;
  }

  private pick<T>(xs: T[], i: number): T | undefined {
    return xs.length === 0 ? undefined : xs[i % xs.length];
  }

  /** Apply one step to both; then `check`. */
  async apply(m: Model, s: Step): Promise<void> {
    this.steps.total++;
    const reverted = this.steps.reverted;
    const before = m.now;
    await this.applyStep(m, s);
    const tally =
      this.steps.reverted !== reverted
        ? this.steps.failed
        : m.now !== before
          ? this.steps.succeeded
          : undefined;
    if (tally) tally[s.kind] = (tally[s.kind] ?? 0) + 1;
  }

  private async applyStep(m: Model, s: Step): Promise<void> {
    const c = this.clients;
    switch (s.kind) {
      case "deposit": {
        const who = PARTIES[s.who]!;
        await this.tick(m);
        await c[who].deposit(s.amount);
        m.credit(this.addr(who), s.amount);
        return;
      }
      case "withdraw": {
        const who = PARTIES[s.who]!;
        const free = m.freeOf(this.addr(who));
        const amount = (free * BigInt(s.permille)) / 1000n;
        if (amount === 0n) return this.fails(m, () => c[who].withdraw(0n), "ZERO_AMOUNT");
        if (amount > free) return this.fails(m, () => c[who].withdraw(amount), "INSUFFICIENT_BALANCE");
        await this.tick(m);
        await c[who].withdraw(amount);
        m.credit(this.addr(who), -amount);
        return;
      }
      case "collateral": {
        const who = PROVERS[s.who]!;
        await this.tick(m);
        await c[who].depositCollateral(s.amount);
        m.proverOf(this.addr(who)).free += s.amount;
        return;
      }
      case "requestWithdrawal": {
        const who = PROVERS[s.who]!;
        const p = m.proverOf(this.addr(who));
        const amount = (p.free * BigInt(s.permille)) / 1000n;
        if (amount === 0n) return this.fails(m, () => c[who].requestCollateralWithdrawal(0n), "ZERO_AMOUNT");
        if (amount > p.free) {
          return this.fails(
            m,
            () => c[who].requestCollateralWithdrawal(amount),
            "INSUFFICIENT_FREE_COLLATERAL",
          );
        }
        await this.tick(m);
        await c[who].requestCollateralWithdrawal(amount);
        p.free -= amount;
        p.pending += amount;
        p.readyAt = m.now + WITHDRAWAL_DELAY;
        return;
      }
      case "withdrawCollateral": {
        const who = PROVERS[s.who]!;
        const p = m.proverOf(this.addr(who));
        if (p.pending === 0n) return this.fails(m, () => c[who].withdrawCollateral(), "NOTHING_PENDING");
        if (m.now + 1 < p.readyAt)
          return this.fails(m, () => c[who].withdrawCollateral(), "WITHDRAWAL_NOT_READY");
        await this.tick(m);
        await c[who].withdrawCollateral();
        p.pending = 0n;
        return;
      }
      case "submit": {
        const who = REQUESTERS[s.who]!;
        const request = this.newRequest(m, who, s.maxPrice, s.assignIn);
        await this.tick(m);
        await c[who].submitRequest(request);
        m.requests.push({ request, id: requestId(this.w.d.marketDomain, request), state: "open" });
        return;
      }
      case "assign":
        return this.assign(m, s);
      case "fulfil": {
        const r = this.pick(m.inState("assigned"), s.pick);
        if (!r) return;
        const rec = r.record!;
        const proof = { record: rec, publicInputs: INPUTS, proof: s.valid ? ACCEPT : REJECT };
        if (m.now + 1 > rec.deadline) return this.fails(m, () => c.prover.fulfil(proof), "DEADLINE_PASSED");
        if (!s.valid) return this.fails(m, () => c.prover.fulfil(proof), "PROOF_REJECTED");
        await this.tick(m);
        await c.other.fulfil(proof);
        r.state = "fulfilled";
        m.credit(rec.prover, rec.price);
        const p = m.proverOf(rec.prover);
        p.locked -= C;
        p.free += C;
        return;
      }
      case "slash": {
        const r = this.pick(m.inState("assigned"), s.pick);
        if (!r) return this.fails(m, () => c.other.slash(this.fakeRecord()), "WRONG_STATUS");
        const rec = r.record!;
        if (m.now + 1 <= rec.deadline) return this.fails(m, () => c.other.slash(rec), "DEADLINE_NOT_PASSED");
        await this.tick(m);
        await c.other.slash(rec);
        r.state = "slashed";
        m.proverOf(rec.prover).locked -= C;
        m.credit(rec.requester, rec.price + C - BOUNTY - TO_TREASURY);
        m.credit(this.addr("other"), BOUNTY);
        m.treasury += TO_TREASURY;
        return;
      }
      case "cancel": {
        const r = this.pick(
          m.requests.filter((x) => x.state !== "open"),
          s.pick,
        );
        const open = this.pick(m.inState("open"), s.pick);
        if (r && s.pick % 3 === 0) {
          return this.fails(m, () => this.requesterClient(r).cancel(r.request), "WRONG_STATUS");
        }
        if (!open) return;
        await this.tick(m);
        await this.requesterClient(open).cancel(open.request);
        open.state = "cancelled";
        m.credit(open.request.requester, open.request.maxPrice);
        return;
      }
      case "refund": {
        const r = this.pick(m.inState("open"), s.pick);
        if (!r) return;
        if (m.now + 1 <= r.request.assignBy)
          return this.fails(m, () => c.other.refund(r.request), "ASSIGN_BY_NOT_PASSED");
        await this.tick(m);
        await c.other.refund(r.request);
        r.state = "refunded";
        m.credit(r.request.requester, r.request.maxPrice);
        return;
      }
      case "time":
        m.now += s.seconds;
        return;
      case "treasury": {
        if (m.treasury === 0n)
          return this.fails(m, () => c.owner.withdrawTreasury(this.addr("owner")), "ZERO_AMOUNT");
        await this.tick(m);
        await c.owner.withdrawTreasury(this.addr("owner"));
        m.treasury = 0n;
        return;
      }
    }
  }

  private requesterClient(r: ModelRequest): MarketplaceClient {
    return r.request.requester === this.addr("requester") ? this.clients.requester : this.clients.requester2;
  }

  private fakeRecord() {
    return {
      requestId: ZERO_HASH,
      requester: this.addr("requester"),
      marketId: this.w.marketId,
      prover: this.addr("prover"),
      price: 1n,
      inputsHash: INPUTS_HASH,
      deadline: 0,
    };
  }

  private newRequest(m: Model, who: Role, maxPrice: bigint, assignIn: number) {
    return {
      marketId: this.w.marketId,
      requester: this.addr(who),
      inputsHash: INPUTS_HASH,
      secretHash: ZERO_HASH,
      maxPrice,
      assignBy: m.now + assignIn,
      provingTime: 120,
      nonce: ++this.nonce,
    };
  }

  private async assign(m: Model, s: Extract<Step, { kind: "assign" }>): Promise<void> {
    const who = REQUESTERS[s.who]!;
    const prover = PROVERS[s.prover]!;
    const at = m.now + 1;
    const open = m.inState("open").filter((r) => r.request.assignBy >= at && r.request.maxPrice >= s.price);
    const chosen = [
      ...new Set(s.picks.map((i) => open[i % Math.max(open.length, 1)]).filter((r) => r !== undefined)),
    ];
    const fresh = Array.from({ length: s.fresh }, () => this.newRequest(m, who, s.price + s.surplus, 300));
    if (chosen.length + fresh.length === 0) return;
    const quote = await this.w.quote(
      { price: s.price, provingTime: QUOTE_PROVING_TIME, validUntil: at + 10 },
      prover,
    );
    const entries = [
      ...chosen.map((r) => ({ request: { request: r.request, paidOnChain: true as const }, quote })),
      ...fresh.map((r) => ({ request: this.w.signedRequest(r, who), quote })),
    ];
    // Simulate item by item, in the contract's order: escrow, then collateral.
    const free = new Map(m.free);
    let collateral = m.proverOf(this.addr(prover)).free;
    let failure: ChainErrorCode | undefined;
    for (const e of entries) {
      const r = e.request.request;
      if ("paidOnChain" in e.request) {
        free.set(r.requester, (free.get(r.requester) ?? 0n) + r.maxPrice - s.price);
      } else {
        const f = free.get(r.requester) ?? 0n;
        if (f < s.price) {
          failure = "INSUFFICIENT_BALANCE";
          break;
        }
        free.set(r.requester, f - s.price);
      }
      if (collateral < C) {
        failure = "INSUFFICIENT_FREE_COLLATERAL";
        break;
      }
      collateral -= C;
    }
    const batch = await this.w.batch(entries, 1);
    if (failure) return this.fails(m, () => this.clients.other.assign(batch), failure);
    await this.tick(m);
    const records = this.w.d.marketplace.assignedIn(await this.clients.other.assign(batch));
    assert.equal(records.length, entries.length);
    for (const [k, v] of free) m.free.set(k, v);
    const p = m.proverOf(this.addr(prover));
    p.free -= C * BigInt(entries.length);
    p.locked += C * BigInt(entries.length);
    for (const [i, rec] of records.entries()) {
      assert.equal(rec.deadline, m.now + QUOTE_PROVING_TIME);
      const known = chosen[i];
      if (known) {
        known.state = "assigned";
        known.record = rec;
      } else {
        const request = fresh[i - chosen.length]!;
        m.requests.push({ request, id: rec.requestId, state: "assigned", record: rec });
      }
    }
  }

  /** Conservation on-chain, and every party's balances against the model. */
  async check(m: Model, label: string): Promise<void> {
    const addrs = PARTIES.map((r) => this.addr(r));
    const [accounts, balance, treasury] = await Promise.all([
      this.w.d.marketplace.accountsOf(addrs),
      this.w.chain.provider.getBalance(this.w.d.marketplace.address),
      this.w.d.marketplace.treasury(),
    ]);
    let held = treasury + m.escrow();
    for (const [i, a] of accounts.entries()) {
      held += a.free + a.collateral.free + a.collateral.locked + a.collateral.pending;
      const pm = m.collateral.get(addrs[i]!) ?? { free: 0n, locked: 0n, pending: 0n };
      const party = `${label}: ${PARTIES[i]}`;
      assert.equal(a.free, m.freeOf(addrs[i]!), `${party} free balance`);
      assert.deepEqual(
        [a.collateral.free, a.collateral.locked, a.collateral.pending],
        [pm.free, pm.locked, pm.pending],
        `${party} collateral (free, locked, pending)`,
      );
    }
    assert.equal(treasury, m.treasury, `${label}: treasury`);
    assert.equal(balance, held, `${label}: contract balance = deposits + escrow + collateral + treasury`);
    assert.equal(balance, m.total(), `${label}: contract balance = model total`);
  }
}
