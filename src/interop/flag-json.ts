/**
 * A flag file named .json is read as JSON by every flag system: flagd by its extension (core/pkg/utils/
 * convert_to_json.go ConvertToJSON: "json" is given to encoding/json as it is), LaunchDarkly's SDKs (the Go SDK's
 * file data source parses a file that starts with "{" with encoding/json, ldfiledata/file_data_source_impl.go;
 * the Node SDK's with JSON.parse unless it is named .yml or .yaml, FileDataSource.ts), Unleash's state import and
 * unleash-client (JSON.parse). YAML, which rehearse parses flag files with for their positions, reads far more:
 * `0x10` as 16, `+12`, `.5`, `012`, `True`, `~`, unquoted text, comments, single quotes, a byte order mark. Each of
 * those makes the vendor refuse the file, so it is refused here, at its line and column.
 */

/** Numbers JSON writes that Go's encoding/json cannot hold in a float64 (flagd, LaunchDarkly's Go SDK refuse the file). */
export function beyondFloat64(value: unknown, path: (string | number)[] = []): (string | number)[] | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const found = beyondFloat64(value[k], [...path, k]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = beyondFloat64(v, [...path, k]);
      if (found) return found;
    }
  }
  return null;
}
