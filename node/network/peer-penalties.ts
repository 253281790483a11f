/**
 * Our own score of each peer from the verdicts its messages got, fed to gossipsub as the
 * application-specific score. Gossipsub's built-in invalid-delivery counter only covers topics with
 * score parameters; market topics come and go, so we count REJECTs ourselves, for every topic and
 * for request/response protocols alike.
 */

export interface PeerPenaltiesInit {
  /** Penalty added per REJECT. Default 10: with the default graylist threshold a peer is graylisted after 9. */
  rejectPenalty?: number;
  /** Fraction of the penalty kept per second. Default 0.99: a peer that stops misbehaving recovers in minutes. */
  decayPerSecond?: number;
}

interface Entry {
  penalty: number;
  at: number;
  /** REJECTs since the peer was last in good standing. */
  rejects: number;
}

export class PeerPenalties {
  private readonly entries = new Map<string, Entry>();
  private readonly rejectPenalty: number;
  private readonly decayPerSecond: number;
  private readonly now: () => number;

  constructor(init: PeerPenaltiesInit = {}, now: () => number = Date.now) {
    this.rejectPenalty = init.rejectPenalty ?? 10;
    this.decayPerSecond = init.decayPerSecond ?? 0.99;
    this.now = now;
  }

  private current(peer: string): Entry | undefined {
    const e = this.entries.get(peer);
    if (!e) return undefined;
    const t = this.now();
    e.penalty *= this.decayPerSecond ** ((t - e.at) / 1000);
    e.at = t;
    if (e.penalty < 0.01) {
      this.entries.delete(peer);
      return undefined;
    }
    return e;
  }

  /** Record a REJECT verdict for a message from `peer`. */
  reject(peer: string): void {
    const e = this.current(peer);
    if (e) {
      e.penalty += this.rejectPenalty;
      e.rejects++;
    } else this.entries.set(peer, { penalty: this.rejectPenalty, at: this.now(), rejects: 1 });
  }

  /** The application-specific score: zero for a well-behaved peer, negative for a misbehaving one. */
  score(peer: string): number {
    const e = this.current(peer);
    return e ? -e.penalty : 0;
  }

  /** REJECTs counted against `peer` since it was last in good standing. */
  rejects(peer: string): number {
    return this.current(peer)?.rejects ?? 0;
  }

  /** Peers currently penalised, for status and metrics. */
  get size(): number {
    return this.entries.size;
  }
}
