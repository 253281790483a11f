/**
 * What the chain says happened, read from the contracts' logs and views at the end of a run:
 * assignments per request (from RequestAssigned, so a request assigned twice shows), fulfilments,
 * slashes, refunds, and the money check: every wei that entered the marketplace (deposits and
 * collateral, less withdrawals) is a free balance, escrow, collateral (free, locked, pending) or
 * treasury, and the sum equals the contract's balance; the registry holds exactly the bonds.
 */
import { Interface, type Log } from "ethers";
import type { Address } from "../protocol/index.js";
import type { SimNetwork } from "./network.js";

/** The chain's account of a run. */
export interface ChainAudit {
  /** RequestAssigned logs per request id. */
  assignments: Map<string, number>;
  fulfilled: Set<string>;
  slashed: Set<string>;
  refunded: Set<string>;
  money: MoneyCheck;
}

/** Money as the contracts hold it, wei as decimal strings (JSON has no bigint). */
export interface MoneyCheck {
  conserved: boolean;
  marketplace_balance_wei: string;
  entered_wei: string;
  free_wei: string;
  escrow_wei: string;
  collateral_free_wei: string;
  collateral_locked_wei: string;
  collateral_pending_wei: string;
  treasury_wei: string;
  registry_balance_wei: string;
  matcher_bonds_wei: string;
}

async function logsOf(net: SimNetwork, address: string, iface: Interface, event: string): Promise<Log[]> {
  return net.world.chain.provider.getLogs({
    address,
    topics: [iface.getEvent(event)!.topicHash],
    fromBlock: net.world.deployment.deployBlock,
  });
}

/** Read the chain's account of the run. */
export async function auditChain(net: SimNetwork): Promise<ChainAudit> {
  const d = net.world.deployment;
  const provider = net.world.chain.provider;
  const mp = new Interface(d.artifacts.Marketplace!.abi as never);
  const events = async (name: string) =>
    (await logsOf(net, d.marketplace.address, mp, name)).map((l) => mp.parseLog(l)!);
  const assignments = new Map<string, number>();
  const price = new Map<string, bigint>();
  for (const e of await events("RequestAssigned")) {
    const id = String(e.args.requestId);
    assignments.set(id, (assignments.get(id) ?? 0) + 1);
    price.set(id, e.args.price as bigint);
  }
  const ids = async (name: string) => new Set((await events(name)).map((e) => String(e.args.requestId)));
  const fulfilled = await ids("RequestFulfilled");
  const slashed = await ids("RequestSlashed");
  const refunded = await ids("RequestRefunded");
  const cancelled = await ids("RequestCancelled");

  const sum = async (name: string, field: string) =>
    (await events(name)).reduce((a, e) => a + (e.args[field] as bigint), 0n);
  const entered =
    (await sum("Deposited", "amount")) +
    (await sum("CollateralDeposited", "amount")) -
    (await sum("Withdrawn", "amount")) -
    (await sum("CollateralWithdrawn", "amount")) -
    (await sum("TreasuryWithdrawn", "amount"));

  const accounts: Address[] = [
    ...net.matchers.map((m) => m.address),
    ...net.provers.map((p) => p.address),
    ...net.requesters.map((r) => r.address),
  ];
  const held = await d.marketplace.accountsOf(accounts);
  let free = 0n;
  const col = { free: 0n, locked: 0n, pending: 0n };
  for (const a of held) {
    free += a.free;
    col.free += a.collateral.free;
    col.locked += a.collateral.locked;
    col.pending += a.collateral.pending;
  }
  let escrow = 0n;
  for (const [id, p] of price) {
    if (!fulfilled.has(id) && !slashed.has(id) && !refunded.has(id) && !cancelled.has(id)) escrow += p;
  }
  const treasury = await d.marketplace.treasury();
  const balance = await provider.getBalance(d.marketplace.address);
  const registryBalance = await provider.getBalance(d.registry.address);
  let bonds = 0n;
  for (const m of net.matchers) bonds += (await d.registry.matcher(m.address)).bond;
  const total = free + escrow + col.free + col.locked + col.pending + treasury;
  return {
    assignments,
    fulfilled,
    slashed,
    refunded,
    money: {
      conserved: total === balance && entered === balance && bonds === registryBalance,
      marketplace_balance_wei: String(balance),
      entered_wei: String(entered),
      free_wei: String(free),
      escrow_wei: String(escrow),
      collateral_free_wei: String(col.free),
      collateral_locked_wei: String(col.locked),
      collateral_pending_wei: String(col.pending),
      treasury_wei: String(treasury),
      registry_balance_wei: String(registryBalance),
      matcher_bonds_wei: String(bonds),
    },
  };
}
