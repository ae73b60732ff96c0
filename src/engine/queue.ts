import { Lane } from './lane.js';

/**
 * The event queue: a short sorted list while few events are pending, a 4-ary min-heap when many are, both stored
 * in parallel typed arrays.
 *
 * Each event is (time, seq, type, a, b): `time` is an integer count of microseconds, `seq` the order in which
 * events were scheduled, so that events at the same instant leave the queue in the order they entered it, on
 * every machine. `type`, `a` and `b` are the caller's: an event kind and two integer operands (typically a record
 * index and its generation). Nothing is allocated per event; the arrays double when full. Whichever form holds
 * them, events leave in exactly the same (time, seq) order.
 *
 * Few events: a model's queue holds one event per call in progress and one per stream of arrivals, often fewer
 * than ten. Then the events are a list sorted from the latest to the earliest: the earliest leaves from the end
 * without any comparison, and a new event finds its place from the end, moving the earlier ones up by one (a
 * loop whose exit is its only unpredictable branch; a heap's sifts take one at every level). From SORTED_MAX
 * events the list turns into a heap (reversed, an ascending list is one) and back below SORTED_MIN.
 *
 * Many events: the earliest event is often the one just scheduled (a short call on an idle service, the next
 * arrival of a quiet stream): an event that would leave the heap before every event in it is held beside it, in
 * one register, and leaves from there without a sift in either direction.
 *
 * Events scheduled a fixed delay ahead (a call's timeout, most of which never fire) leave in the order they
 * entered: each such delay has a lane, a FIFO of its events, and only the lane's first event is in the queue, so
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
  /** Whether the events are a list sorted from the latest (index 0) to the earliest (count - 1), not a heap. */
  private sorted = true;
  // The register of the heap: an event earlier than every event in it, when `held` (its seq is always the larger
  // on a tie). Never held while the events are a sorted list.
  private held = false;
  private heldTime = 0;
  private heldSeq = 0;
  private heldKind = 0;
  private heldA = 0;
  private heldB = 0;
  // Where toSorted() puts the heap's few events while it sorts them.
  private readonly scratchTime = new Float64Array(SORTED_MIN);
  private readonly scratchSeq = new Float64Array(SORTED_MIN);
  private readonly scratchKind = new Uint8Array(SORTED_MIN);
  private readonly scratchA = new Int32Array(SORTED_MIN);
  private readonly scratchB = new Int32Array(SORTED_MIN);

  /** Fields of the event most recently removed by pop(). */
  topTime = 0;
  topKind = 0;
  topA = 0;
  topB = 0;

  // Lanes (see above): the queue holds a lane's first event under the kind LANE_KIND + lane.
  private readonly lanes: Lane[] = [];
  /** Events in lanes that are not (yet) in the queue. */
  private laneBacklog = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(initialCapacity, SORTED_MAX);
    this.time = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.opA = new Int32Array(capacity);
    this.opB = new Int32Array(capacity);
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
   * cancelled enters the queue (cancelled ones before it are dropped). False when the event removed was cancelled.
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

  /** Puts an event with an earlier seq than the newest into the queue: ties are decided by seq. */
  private place(time: number, seq: number, kind: number, a: number, b: number): void {
    if (this.sorted) {
      if (this.count < SORTED_MAX) {
        this.insert(time, seq, kind, a, b);
        return;
      }
      this.toHeap();
    }
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
    if (this.sorted) return this.count > 0 ? this.time[this.count - 1] : Infinity;
    return this.held ? this.heldTime : this.count > 0 ? this.time[0] : Infinity;
  }

  push(time: number, kind: number, a: number, b: number): void {
    const seq = this.nextSeq++;
    if (this.sorted) {
      if (this.count < SORTED_MAX) {
        // The newest seq: it goes after every event due no later than it (they leave first), before the rest.
        const time_ = this.time, seq_ = this.seq, kind_ = this.kind, a_ = this.opA, b_ = this.opB;
        let at = this.count++;
        while (at > 0 && time_[at - 1] <= time) {
          time_[at] = time_[at - 1];
          seq_[at] = seq_[at - 1];
          kind_[at] = kind_[at - 1];
          a_[at] = a_[at - 1];
          b_[at] = b_[at - 1];
          at--;
        }
        time_[at] = time;
        seq_[at] = seq;
        kind_[at] = kind;
        a_[at] = a;
        b_[at] = b;
        return;
      }
      this.toHeap();
    }
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

  /** Puts an event of any seq into the sorted list (which has room for it). */
  private insert(time: number, seq: number, kind: number, a: number, b: number): void {
    const time_ = this.time, seq_ = this.seq, kind_ = this.kind, a_ = this.opA, b_ = this.opB;
    let at = this.count++;
    while (at > 0 && (time_[at - 1] < time || (time_[at - 1] === time && seq_[at - 1] < seq))) {
      time_[at] = time_[at - 1];
      seq_[at] = seq_[at - 1];
      kind_[at] = kind_[at - 1];
      a_[at] = a_[at - 1];
      b_[at] = b_[at - 1];
      at--;
    }
    time_[at] = time;
    seq_[at] = seq;
    kind_[at] = kind;
    a_[at] = a;
    b_[at] = b;
  }

  /** The sorted list becomes a heap: reversed, it is ascending, and an ascending array is a min-heap. */
  private toHeap(): void {
    const time_ = this.time, seq_ = this.seq, kind_ = this.kind, a_ = this.opA, b_ = this.opB;
    for (let i = 0, j = this.count - 1; i < j; i++, j--) {
      const t = time_[i], s = seq_[i], k = kind_[i], a = a_[i], b = b_[i];
      time_[i] = time_[j]; seq_[i] = seq_[j]; kind_[i] = kind_[j]; a_[i] = a_[j]; b_[i] = b_[j];
      time_[j] = t; seq_[j] = s; kind_[j] = k; a_[j] = a; b_[j] = b;
    }
    this.sorted = false;
  }

  /** The heap (and the register) becomes a sorted list again: few events are left. */
  private toSorted(): void {
    const n = this.count;
    this.count = 0;
    this.sorted = true;
    // The heap's events, each put into the list at its place; the register's (the earliest) last.
    const time_ = this.time, seq_ = this.seq, kind_ = this.kind, a_ = this.opA, b_ = this.opB;
    const t = this.scratchTime, s = this.scratchSeq, k = this.scratchKind, a = this.scratchA, b = this.scratchB;
    for (let i = 0; i < n; i++) {
      t[i] = time_[i]; s[i] = seq_[i]; k[i] = kind_[i]; a[i] = a_[i]; b[i] = b_[i];
    }
    for (let i = 0; i < n; i++) this.insert(t[i], s[i], k[i], a[i], b[i]);
    if (this.held) {
      this.held = false;
      this.insert(this.heldTime, this.heldSeq, this.heldKind, this.heldA, this.heldB);
    }
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
      if (this.sorted) {
        const last = this.count - 1;
        if (last < 0 || this.time[last] > until) return false;
        this.count = last;
        this.topTime = this.time[last];
        this.topKind = this.kind[last];
        this.topA = this.opA[last];
        this.topB = this.opB[last];
      } else if (this.held) {
        if (this.heldTime > until) return false;
        this.popHeld();
      } else {
        if (this.count === 0 || this.time[0] > until) return false;
        this.popHeap();
        if (this.count < SORTED_MIN) this.toSorted();
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
/** From this many events the sorted list becomes a heap, and below SORTED_MIN a heap becomes a sorted list. */
const SORTED_MAX = 24;
const SORTED_MIN = 8;
