/**
 * The requests and quotes a node holds in memory, restored from its store on start. Expired
 * entries are dropped as chain time passes; the store keeps history, the pool only what is live.
 */
import type { Hex32, SignedQuote, SignedRequest } from "../protocol/index.js";

export class RequestPool {
  readonly requests = new Map<Hex32, SignedRequest>();
  readonly quotes = new Map<Hex32, SignedQuote>();

  addRequest(id: Hex32, signed: SignedRequest): boolean {
    if (this.requests.has(id)) return false;
    this.requests.set(id, signed);
    return true;
  }

  addQuote(id: Hex32, signed: SignedQuote): boolean {
    if (this.quotes.has(id)) return false;
    this.quotes.set(id, signed);
    return true;
  }

  /** Drop requests past assign-by and quotes past valid-until at chain time `now`. */
  expire(now: number): { requests: Hex32[]; quotes: Hex32[] } {
    const requests: Hex32[] = [];
    const quotes: Hex32[] = [];
    for (const [id, r] of this.requests) if (r.request.assignBy <= now) requests.push(id);
    for (const [id, q] of this.quotes) if (q.quote.validUntil <= now) quotes.push(id);
    for (const id of requests) this.requests.delete(id);
    for (const id of quotes) this.quotes.delete(id);
    return { requests, quotes };
  }
}
