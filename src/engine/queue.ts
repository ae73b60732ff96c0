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
 *
 * Events scheduled a fixed delay ahead (a call's timeout, most of which never fire) leave in the order they
 * entered: each such delay has a lane, a FIFO of its events, and only the lane's first event is in the heap, so
 * that thousands of pending timeouts do not deepen the heap every other event sifts through. An event keeps the
 * seq it was given when scheduled, so the order is still exactly (time, seq). A lane's event can be cancelled
 * (the call was answered): it then never leaves the queue, and costs nothing more than its place in the lane.
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

  // Lanes (see above): the heap holds a lane's first event under the kind LANE_KIND + lane.
  private readonly lanes: Lane[] = [];
  /** Events in lanes that are not (yet) in the heap. */
  private laneBacklog = 0;

  constructor(initialCapacity = 1024) {
    this.time = new Float64Array(initialCapacity);
    this.seq = new Float64Array(initialCapacity);
    this.kind = new Uint8Array(initialCapacity);
    this.opA = new Int32Array(initialCapacity);
    this.opB = new Int32Array(initialCapacity);
  }

  get size(): number {
    return (this.held ? this.count + 1 : this.count) + this.laneBacklog;
  }

  /**
   * A lane for events of kind `kind` that are always scheduled the same delay after the (never decreasing)
   * current time, so that each is due no earlier than the one before; -1 when there are no lanes left.
   */
  lane(kind: number): number {
    if (this.lanes.length === MAX_LANES) return -1;
    this.lanes.push(new Lane(kind));
    return this.lanes.length - 1;
  }

  /**
   * Schedules an event in lane `lane` (see lane()): due at `time`, no earlier than the lane's last event. Returns
   * its ticket, for cancel().
   */
  pushLane(lane: number, time: number, a: number, b: number): number {
    const seq = this.nextSeq++;
    const l = this.lanes[lane];
    if (l.len === 0) this.place(time, seq, LANE_KIND + lane, a, b);
    else this.laneBacklog++;
    return l.append(time, seq, a, b);
  }

  /**
   * Cancels the event of lane `lane` with ticket `ticket` (from pushLane): it will not leave the queue. Nothing
   * happens when it has already left.
   */
  cancel(lane: number, ticket: number): void {
    this.lanes[lane].cancel(ticket);
  }

  /**
   * The event just removed was a lane's first: its kind becomes the lane's, and the lane's next event that is not
   * cancelled enters the heap (cancelled ones before it are dropped). False when the event removed was cancelled.
   */
  private leaveLane(): boolean {
    const lane = this.topKind - LANE_KIND;
    const l = this.lanes[lane];
    this.topKind = l.kind;
    const live = !l.firstCancelled();
    if (l.shift()) {
      this.laneBacklog--;
      while (l.firstCancelled()) {
        if (!l.shift()) return live;
        this.laneBacklog--;
      }
      this.place(l.firstTime(), l.firstSeq(), LANE_KIND + lane, l.firstA(), l.firstB());
    }
    return live;
  }

  /** Puts an event with an earlier seq than the newest into the register or the heap: ties are decided by seq. */
  private place(time: number, seq: number, kind: number, a: number, b: number): void {
    if (this.held) {
      if (time < this.heldTime || (time === this.heldTime && seq < this.heldSeq)) {
        this.sift(this.heldTime, this.heldSeq, this.heldKind, this.heldA, this.heldB);
        this.hold(time, seq, kind, a, b);
        return;
      }
    } else if (this.count === 0 || time < this.time[0] || (time === this.time[0] && seq < this.seq[0])) {
      this.hold(time, seq, kind, a, b);
      return;
    }
    this.sift(time, seq, kind, a, b);
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

  /** Removes the earliest event into topTime/topKind/topA/topB; false when there is none (left). */
  pop(): boolean {
    return this.popUntil(Infinity);
  }

  /**
   * Removes the earliest event into topTime/topKind/topA/topB if it is due at or before `until`; false (and
   * nothing removed) when the queue is empty or its earliest event is later. The event loop's one call per event.
   * Cancelled events are passed over.
   */
  popUntil(until: number): boolean {
    for (;;) {
      if (this.held) {
        if (this.heldTime > until) return false;
        this.popHeld();
      } else {
        if (this.count === 0 || this.time[0] > until) return false;
        this.popHeap();
      }
      if (this.topKind < LANE_KIND || this.leaveLane()) return true;
    }
  }

  private popHeld(): void {
    this.held = false;
    this.topTime = this.heldTime;
    this.topKind = this.heldKind;
    this.topA = this.heldA;
    this.topB = this.heldB;
  }

  private popHeap(): void {
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

/** Kinds from here up in the heap are lanes' first events (the caller's kinds are below). */
const LANE_KIND = 128;
const MAX_LANES = 256 - LANE_KIND;

/**
 * A FIFO ring of events due in the order they were scheduled. Each event appended gets the next ticket; the
 * first event's ticket is `headTicket`, so an event's place in the ring follows from its ticket.
 */
class Lane {
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
