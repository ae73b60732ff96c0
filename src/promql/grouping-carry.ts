/**
 * What Prometheus 2.42 carries from one step of a range query to the next: count_values' grouping, written into the
 * query's own grouping list. promql/engine.go (v2.42.0 to v2.51.x) aggregation, at every step:
 *
 *     grouping = append(grouping, valueLabel)
 *     slices.Sort(grouping)
 *
 * where `grouping` is the aggregation's `by` list itself (sortedGrouping := e.Grouping). When that list has room
 * past its end (its capacity, as the parser's appends grew it: by (a, b, c) holds 3 of 4), the append writes the
 * value label into it and the sort reorders it in place, so the next step starts from a list that lost its last
 * label to the value label: `count_values by (a, b, c) ("aaa", m)` groups by a, aaa, b, c at the first step, by a,
 * aaa, b at the second, by a, aaa from the third on. An instant query has one step and is not touched. Prometheus
 * 2.52 appends once per query (v2.52.0 engine.go, aggregationCountValues), and answers every step alike.
 */
export class GroupingCarry {
  private readonly lists = new Map<object, string[]>();

  /** The labels count_values groups by at this step of the query, for the aggregation `node`. */
  countValues(node: object, by: readonly string[], valueLabel: string): string[] {
    let list = this.lists.get(node);
    if (list === undefined) this.lists.set(node, (list = [...by].sort()));
    const n = by.length;
    const grown = [...list, valueLabel].sort();
    // Room past the end: the append and the sort write into the query's own list, seen by the next step.
    if (n > 0 && n < goAppendCapacity(n)) list.splice(0, n, ...grown.slice(0, n));
    return grown;
  }
}

// Go's runtime (sizeclasses.go): the sizes an allocation of up to 32 KiB is rounded up to.
const SIZE_CLASSES = [0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640,
  704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
  10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768];

/** malloc.go roundupsize: a size class, or whole pages of 8 KiB past 32 KiB. */
const roundUpSize = (bytes: number): number => (bytes <= 32768 ? SIZE_CLASSES.find((c) => c >= bytes)! : Math.ceil(bytes / 8192) * 8192);

/**
 * The capacity of a []string of `n` (one or more) labels as the parser builds a grouping list (generated_parser.y
 * grouping_label_list: []string{first}, then append one at a time), by Go's growslice (runtime/slice.go, Go 1.18 to
 * 1.21: double below 256, then grow by a quarter and 192; rounded up to a size class, 16 bytes a string).
 */
export function goAppendCapacity(n: number): number {
  let cap = 1;
  while (cap < n) {
    let next = cap;
    if (cap < 256) next = cap * 2;
    else while (next < cap + 1) next += Math.floor((next + 3 * 256) / 4);
    cap = roundUpSize(next * 16) / 16;
  }
  return cap;
}
