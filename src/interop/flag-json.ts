/**
 * A flag file named .json is read as JSON by every flag system: flagd by its extension (core/pkg/utils/
 * convert_to_json.go ConvertToJSON: "json" is given to encoding/json as it is), LaunchDarkly's SDKs (the Go SDK's
 * file data source parses a file that starts with "{" with encoding/json, ldfiledata/file_data_source_impl.go;
 * the Node SDK's with JSON.parse unless it is named .yml or .yaml, FileDataSource.ts), Unleash's state import and
 * unleash-client (JSON.parse). YAML, which rehearse parses flag files with for their positions, reads far more:
 * `0x10` as 16, `+12`, `.5`, `012`, `True`, `~`, unquoted text, comments, single quotes, a byte order mark. Each of
 * those makes the vendor refuse the file, so it is refused here, at its line and column.
 */

/** The offset and description of the first place `text` is not JSON (RFC 8259), or null when it is. */
export function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const n = text.length;
  const fail = (message: string, at = i): never => {
    throw Object.assign(new Error(message), { offset: at });
  };
  const space = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const shown = (at: number) => (at >= n ? 'the end of the file' : `${JSON.stringify(text[at] === '\ufeff' ? '\ufeff' : text.slice(at, at + 12).split(/[\s,:}\]]/)[0] || text[at])}`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`${shown(i)} is no JSON value (JSON writes true, false, null, numbers in decimal and "text")`);
  };
  const number = () => {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-') return fail(`${shown(i)} is no JSON number (JSON writes numbers in decimal: no "+", hexadecimal, leading 0 or bare ".")`);
    const after = text[i + m[0].length];
    if (after !== undefined && /[0-9A-Za-z_.+-]/.test(after)) fail(`${shown(i)} is no JSON number (JSON writes numbers in decimal: no "+", hexadecimal, leading 0 or bare ".")`);
    i += m[0].length;
  };
  const string = () => {
    const start = i++;
    for (;;) {
      if (i >= n) fail('a text is not closed', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('a control character inside a text (JSON writes it escaped: \\n, \\t, \\u0000)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u is followed by four hexadecimal digits in JSON');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`\\${e ?? ''} is no JSON escape`);
      } else i++;
    }
  };
  const value = (depth: number): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail(text[i] === '}' ? 'a comma before "}" (JSON allows none)' : `${shown(i)} where a key in double quotes goes`);
        string();
        space();
        if (text[i] !== ':') fail(`${shown(i)} where ":" goes, after a key`);
        i++;
        value(depth + 1);
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`${shown(i)} where "," or "}" goes`);
      }
    } else if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        if ((space(), text[i]) === ']') fail('a comma before "]" (JSON allows none)');
        value(depth + 1);
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`${shown(i)} where "," or "]" goes`);
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else if (c === undefined) fail('the file ends where a value goes');
    else fail(c === '\ufeff' ? 'a byte order mark (U+FEFF) before the value, which JSON does not allow' : `${shown(i)} is no JSON value (JSON writes true, false, null, numbers in decimal and "text" in double quotes)`);
  };
  try {
    value(0);
    space();
    if (i < n) fail(`${shown(i)} after the value (a JSON file holds one value)`);
    return null;
  } catch (e) {
    if (e instanceof RangeError) return null; // nested beyond the stack: the depth check of the parse says where
    const offset = (e as { offset?: number }).offset;
    if (offset === undefined) throw e;
    return { offset, message: (e as Error).message };
  }
}

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
