/**
 * The string formats of a CRD's schema the API server checks, as it checks them. apiextensions-apiserver keeps a
 * string's format only when it is one it supports (pkg/apiserver/validation/formats.go supportedVersionedFormats,
 * with go-openapi's normalization: "date-time" is "datetime"; StripUnsupportedFormatsPostProcessorForVersion sets
 * any other to none), and kube-openapi's validator applies a format to strings only (pkg/validation/validate/
 * formats.go formatValidator.Applies: kind == reflect.String), by its registry (pkg/validation/strfmt): an integer's
 * int32 or int64 is not checked, nor a string's "url" or "string" (stripped). The vendored schemas carry, of the
 * kept ones, date-time alone (a Rollout's spec.restartAt); test/inputs-17.test.ts holds every format of them to
 * this table or to being one the API server does not check.
 */

/** Go's time.Parse("2006-01-02", s) holds (strfmt date.go IsDate): four digits of year, a month, a day of it. */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** strfmt time.go DateTimePattern, over the text in lower case (its "." is any character, as there). */
const TIME = /^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$/;

/** strfmt time.go IsDateTime: the text in lower case split at each "t", a date before the first, a time after it. */
function isDateTime(s: string): boolean {
  if (s.length < 4) return false;
  const parts = s.toLowerCase().split('t');
  if (parts.length < 2 || !isDate(parts[0])) return false;
  const m = TIME.exec(parts[1]);
  return m !== null && m[1] <= '23' && m[2] <= '59' && m[3] <= '59';
}

/** The formats checked, by their normalized name, with an example of each for messages. */
export const CHECKED_FORMATS: Readonly<Record<string, { readonly holds: (s: string) => boolean; readonly example: string }>> = {
  datetime: { holds: isDateTime, example: 'RFC 3339, as 2006-01-02T15:04:05Z' },
  date: { holds: isDate, example: 'as 2006-01-02' },
};

/** Formats of the vendored schemas the API server does not check: on integers (int32, int64) or stripped ("url", "string"). */
export const UNCHECKED_FORMATS: readonly string[] = ['int32', 'int64', 'url', 'string'];

/** Why `value` fails the schema's `format` as the API server checks it, or null. */
export function formatMessage(kind: string, format: string, value: string): string | null {
  const f = CHECKED_FORMATS[format.replaceAll('-', '')];
  if (f === undefined || f.holds(value)) return null;
  return `Invalid value: ${JSON.stringify(value)}: must be of type ${format} (${f.example}), as the ${kind} CRD's format says: the Kubernetes API server refuses the resource`;
}
