/**
 * At most `limit` holders at once; the others wait their turn in arrival
 * order. The engine uses it to bound how many users tear down at once.
 */
export class Gate {
  private held = 0;
  private readonly queue: Array<() => void> = [];
  private head = 0;
  private limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Lets every waiter in now and every later caller at once: the gate stops limiting. */
  open(): void {
    this.limit = Infinity;
    while (this.head < this.queue.length) {
      this.held++;
      const next = this.queue[this.head] as () => void;
      this.queue[this.head++] = noop;
      next();
    }
    this.queue.length = 0;
    this.head = 0;
  }

  /** Holders now. */
  get inside(): number {
    return this.held;
  }

  /** Waiting for a turn now. */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Resolves once the caller holds a place; pair every call with one `leave()`. */
  enter(): Promise<void> {
    if (this.held < this.limit) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.queue.push(resolve));
  }

  /** Gives the place up: the longest waiter gets it. */
  leave(): void {
    if (this.head < this.queue.length) {
      const next = this.queue[this.head] as () => void;
      this.queue[this.head++] = noop;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      next();
      return;
    }
    this.held--;
  }
}

const noop = (): void => {};
