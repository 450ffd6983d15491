/**
 * `--busy-poll`: keeps the event loop turning instead of sleeping in epoll
 * while a run is on, so a reply is read the moment it lands.
 *
 * Why: an idle process sleeps in epoll_wait, and the kernel (on a VM, the
 * hypervisor too) takes a while to wake it when a reply arrives. bench/
 * measured that wake-up at about 0.3 ms per reply on a 2-core VM, added to
 * every latency the generator reports, and largest at low load, where a
 * latency test usually runs. With a pending immediate, libuv polls with a
 * zero timeout, so the process never sleeps. The price is one full core per
 * process for the whole run, so it is opt-in.
 */
export class BusyPoller {
  private running = false;
  private turns = 0;
  private readonly turn = (): void => {
    if (!this.running) return;
    this.turns++;
    setImmediate(this.turn);
  };

  start(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(this.turn);
  }

  /** The loop goes back to sleeping between events at its next turn. */
  stop(): void {
    this.running = false;
  }

  get active(): boolean {
    return this.running;
  }

  /** Loop turns so far: how often it polled without sleeping. */
  get polls(): number {
    return this.turns;
  }
}
