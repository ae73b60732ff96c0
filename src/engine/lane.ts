/**
 * A FIFO ring of events due in the order they were scheduled. Each event appended gets the next ticket; the
 * first event's ticket is `headTicket`, so an event's place in the ring follows from its ticket.
 */
export class Lane {
  private time = new Float64Array(64);
  private seq = new Float64Array(64);
  private opA = new Int32Array(64);
  private opB = new Int32Array(64);
  private cancelled = new Uint8Array(64);
  private head = 0;
  private headTicket = 0;
  len = 0;

  constructor(readonly kind: number) {}

  /** Appends an event; returns its ticket. */
  append(time: number, seq: number, a: number, b: number): number {
    if (this.len === this.time.length) this.grow();
    let at = this.head + this.len;
    if (at >= this.time.length) at -= this.time.length;
    this.time[at] = time;
    this.seq[at] = seq;
    this.opA[at] = a;
    this.opB[at] = b;
    return this.headTicket + this.len++;
  }

  /** Marks the event with ticket `ticket` cancelled, if it is still in the lane. */
  cancel(ticket: number): void {
    const offset = ticket - this.headTicket;
    if (offset < 0 || offset >= this.len) return;
    let at = this.head + offset;
    if (at >= this.time.length) at -= this.time.length;
    this.cancelled[at] = 1;
  }

  firstCancelled(): boolean {
    return this.cancelled[this.head] === 1;
  }

  /** Drops the first event; true when another follows. */
  shift(): boolean {
    this.cancelled[this.head] = 0;
    this.head = this.head + 1 === this.time.length ? 0 : this.head + 1;
    this.headTicket++;
    return --this.len > 0;
  }

  firstTime(): number {
    return this.time[this.head];
  }

  firstSeq(): number {
    return this.seq[this.head];
  }

  firstA(): number {
    return this.opA[this.head];
  }

  firstB(): number {
    return this.opB[this.head];
  }

  private grow(): void {
    const cap = this.time.length;
    const time = new Float64Array(cap * 2), seq = new Float64Array(cap * 2), a = new Int32Array(cap * 2), b = new Int32Array(cap * 2);
    const cancelled = new Uint8Array(cap * 2);
    for (let i = 0; i < this.len; i++) {
      const from = (this.head + i) % cap;
      time[i] = this.time[from];
      seq[i] = this.seq[from];
      a[i] = this.opA[from];
      b[i] = this.opB[from];
      cancelled[i] = this.cancelled[from];
    }
    this.time = time;
    this.seq = seq;
    this.opA = a;
    this.opB = b;
    this.cancelled = cancelled;
    this.head = 0;
  }
}
