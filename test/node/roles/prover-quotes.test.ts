import assert from "node:assert/strict";
import { QuotePublisher } from "../../../node/roles/quote-publisher.js";
import { type SignedQuote, validateQuote } from "../../../protocol/index.js";
import { context, MARKET_DOMAIN, PROVER, PROVER_KEY } from "../../protocol/samples.js";
import { FakeClock } from "./helpers-fake-backend.js";

describe("node/roles/quote-publisher (fake chain clock)", () => {
  it("keeps one valid quote per market: refreshed with a new nonce in its last third, and again for a new subscriber", async () => {
    const clock = new FakeClock();
    const published: SignedQuote[] = [];
    let subscribers: string[] = [];
    const offer = { price: 5n, provingTime: 60, capacity: 3, quoteValidityS: 300 };
    const quotes = new QuotePublisher(
      {
        prover: PROVER,
        key: PROVER_KEY,
        marketDomain: MARKET_DOMAIN,
        now: clock.now,
        publish: async (q) => {
          published.push(q);
        },
        subscribers: () => subscribers,
      },
      new Map([
        [1, offer],
        [2, { ...offer, price: 7n }],
      ]),
      { minRepublishMs: 0 },
    );
    const steps: [string, () => void, number][] = [
      ["first quotes", () => {}, 2],
      ["nothing to refresh yet", () => {}, 2],
      ["more than a third left", () => clock.advance(199), 2],
      ["a third left: refreshed", () => clock.advance(1), 4],
      ["a new subscriber: republished", () => (subscribers = ["peer-a"]), 6],
      ["same subscribers: nothing", () => {}, 6],
    ];
    for (const [what, step, count] of steps) {
      step();
      await quotes.refresh();
      assert.equal(published.length, count, what);
    }
    assert.notEqual(published[2]!.quote.nonce, published[0]!.quote.nonce, "a refresh has a new nonce");
    assert.equal(published[2]!.quote.validUntil, clock.nowS - 200 + 500, "valid for 300 s from the refresh");
    assert.equal(quotes.quote(2)!.quote.price, 7n);
    const ctx = context({
      now: clock.nowS,
      market: () => ({ minProvingTime: 1, maxProvingTime: 3600, requiresTee: false }),
    });
    for (const q of published.slice(4))
      assert.equal(validateQuote(ctx, q).signer, PROVER, "signed by the prover");
  });
});
