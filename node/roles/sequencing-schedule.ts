/**
 * When the leader sequences: every `intervalMs` (chain facts arrive without gossip), `delayMs`
 * after an order arrives (so it does not wait for the next tick, yet gathers what arrives with it),
 * and once more after a run during which an order arrived. Runs never overlap.
 */
export class SequencingSchedule {
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private active = false;
  /** An order arrived while a run was under way: run again after it. */
  private again = false;
  /** The run under way, if any. */
  running: Promise<void> | undefined;

  constructor(
    private readonly run: () => Promise<void>,
    /** Whether a run may start now (we lead, and are not stopped). */
    private readonly may: () => boolean,
    private readonly opts: { intervalMs: number; delayMs: number },
  ) {}

  start(): void {
    this.active = true;
    this.timer ??= setInterval(() => void this.now(), this.opts.intervalMs);
  }

  /** No more ticks and no more runs asked for by orders; `now()` still runs when called. */
  stop(): void {
    this.active = false;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.timer = undefined;
    this.soon = undefined;
  }

  /** Run now, or join the run under way. */
  now(): Promise<void> {
    if (!this.may()) return Promise.resolve();
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.orderArrived();
      }
    });
    return this.running;
  }

  /** An order arrived: run shortly rather than at the next tick. */
  orderArrived(): void {
    if (!this.active || !this.may()) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.soon ??= setTimeout(() => {
      this.soon = undefined;
      void this.now();
    }, this.opts.delayMs);
  }
}
