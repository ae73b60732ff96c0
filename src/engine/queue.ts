/**
 * A 4-ary min-heap of events stored in parallel typed arrays.
 *
 * Each event is (time, seq, type, a, b): `time` is an integer count of microseconds, `seq` the order in which
 * events were scheduled, so that events at the same instant leave the queue in the order they entered it, on
 * every machine. `type`, `a` and `b` are the caller's: an event kind and two integer operands (typically a record
 * index and its generation). Nothing is allocated per event; the arrays double when full.
 *
 * The earliest event is often the one just scheduled (a short call on an idle service, the next arrival of a
 * quiet stream): an event that would leave the queue before every event in the heap is held beside it, in one
 * register, and leaves from there without a sift in either direction. The order is the same (time, seq) order.
 */
export class EventQueue {
  private time: Float64Array;
  private seq: Float64Array;
  private kind: Uint8Array;
  private opA: Int32Array;
  private opB: Int32Array;
  private count = 0;
  private nextSeq = 0;
  // The register: an event earlier than every event in the heap, when `held` (its seq is always the larger on a tie).
  private held = false;
  private heldTime = 0;
  private heldSeq = 0;
  private heldKind = 0;
  private heldA = 0;
  private heldB = 0;

  /** Fields of the event most recently removed by pop(). */
  topTime = 0;
  topKind = 0;
  topA = 0;
  topB = 0;

  constructor(initialCapacity = 1024) {
    this.time = new Float64Array(initialCapacity);
    this.seq = new Float64Array(initialCapacity);
    this.kind = new Uint8Array(initialCapacity);
    this.opA = new Int32Array(initialCapacity);
    this.opB = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.held ? this.count + 1 : this.count;
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.held ? this.heldTime : this.count > 0 ? this.time[0] : Infinity;
  }

  push(time: number, kind: number, a: number, b: number): void {
    const seq = this.nextSeq++;
    // Earlier than everything queued (a later seq never wins a tie): it goes to the register, and the event held
    // there, if any, into the heap.
    if (this.held) {
      if (time < this.heldTime) {
        this.sift(this.heldTime, this.heldSeq, this.heldKind, this.heldA, this.heldB);
        this.hold(time, seq, kind, a, b);
        return;
      }
    } else if (this.count === 0 || time < this.time[0]) {
      this.hold(time, seq, kind, a, b);
      return;
    }
    this.sift(time, seq, kind, a, b);
  }

  private hold(time: number, seq: number, kind: number, a: number, b: number): void {
    this.held = true;
    this.heldTime = time;
    this.heldSeq = seq;
    this.heldKind = kind;
    this.heldA = a;
    this.heldB = b;
  }

  /** Puts an event into the heap. */
  private sift(time: number, seq: number, kind: number, a: number, b: number): void {
    if (this.count === this.time.length) this.grow();
    const time_ = this.time, seq_ = this.seq, kind_ = this.kind, a_ = this.opA, b_ = this.opB;
    // Sift up: move parents down into the hole until the new event's place is found.
    let hole = this.count++;
    while (hole > 0) {
      const parent = (hole - 1) >> 2;
      const pt = time_[parent];
      if (pt < time || (pt === time && seq_[parent] < seq)) break;
      time_[hole] = pt;
      seq_[hole] = seq_[parent];
      kind_[hole] = kind_[parent];
      a_[hole] = a_[parent];
      b_[hole] = b_[parent];
      hole = parent;
    }
    time_[hole] = time;
    seq_[hole] = seq;
    kind_[hole] = kind;
    a_[hole] = a;
    b_[hole] = b;
  }

  /** Removes the earliest event into topTime/topKind/topA/topB. The queue must not be empty. */
  pop(): void {
    if (this.held) {
      this.held = false;
      this.topTime = this.heldTime;
      this.topKind = this.heldKind;
      this.topA = this.heldA;
      this.topB = this.heldB;
      return;
    }
    const time_ = this.time, seq_ = this.seq, kind_ = this.kind, a_ = this.opA, b_ = this.opB;
    this.topTime = time_[0];
    this.topKind = kind_[0];
    this.topA = a_[0];
    this.topB = b_[0];
    const n = --this.count;
    if (n === 0) return;
    // Sift the last event down from the root.
    const t = time_[n], s = seq_[n], k = kind_[n], a = a_[n], b = b_[n];
    let hole = 0;
    for (;;) {
      const first = (hole << 2) + 1;
      if (first >= n) break;
      let best = first;
      let bt = time_[first];
      let bs = seq_[first];
      const last = first + 3 < n ? first + 3 : n - 1;
      for (let c = first + 1; c <= last; c++) {
        const ct = time_[c];
        if (ct < bt || (ct === bt && seq_[c] < bs)) {
          best = c;
          bt = ct;
          bs = seq_[c];
        }
      }
      if (t < bt || (t === bt && s < bs)) break;
      time_[hole] = bt;
      seq_[hole] = bs;
      kind_[hole] = kind_[best];
      a_[hole] = a_[best];
      b_[hole] = b_[best];
      hole = best;
    }
    time_[hole] = t;
    seq_[hole] = s;
    kind_[hole] = k;
    a_[hole] = a;
    b_[hole] = b;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap); t.set(this.time); this.time = t;
    const s = new Float64Array(cap); s.set(this.seq); this.seq = s;
    const k = new Uint8Array(cap); k.set(this.kind); this.kind = k;
    const a = new Int32Array(cap); a.set(this.opA); this.opA = a;
    const b = new Int32Array(cap); b.set(this.opB); this.opB = b;
  }
}
