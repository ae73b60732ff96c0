/**
 * "a" or "an" before a word that a message takes from its input (a provider's type, a kind, a format), by how the
 * word is said, not how it is spelt: an influxdb provider, an Ingress, an Unleash flag file, an HTTP source, an OTLP
 * file, an 8-second window; a user, a unique key, a URL, a one-off, a gRPC source.
 */
export function article(word: string): 'a' | 'an' {
  const w = word.trim();
  // An acronym (two capitals, or one of the lower-case ones files write) is said letter by letter: "an" before a
  // letter whose name starts with a vowel (A, E, F, H, I, L, M, N, O, R, S, X).
  const acronym = /^[A-Z]{2}/.test(w) || LOWER_ACRONYMS.test(w);
  if (acronym) return /^[aefhilmnorsx]/i.test(w) ? 'an' : 'a';
  if (/^(8|11(?!\d)|18(?!\d))/.test(w)) return 'an';
  // A vowel said as a consonant (a user, a unique, a eulogy, a one-off), and a silent h (an hour, an honest).
  if (/^(u(ni|s[eu]|ti|r[aeio]|[bk]i)|eu|ew|one(?![rst])|once)/i.test(w)) return 'a';
  if (/^(hour|honest|honou?r|heir)/i.test(w)) return 'an';
  return /^[aeiou]/i.test(w) ? 'an' : 'a';
}

/** The word after its article: `an influxdb`. */
export const withArticle = (word: string): string => `${article(word)} ${word}`;

/** Acronyms written in lower case in the files rehearse reads (a source's provider, a format, a type). */
const LOWER_ACRONYMS = /^(https?|html|xml|otlp|sql|slo|sli|mtls|rpc|ftp|nfs|smi|alb|nlb|s3|lb)\b/i;
