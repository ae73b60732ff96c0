/**
 * A small streaming JSON splitter for trace files too large to parse at once. It reads the file in chunks and
 * hands over, one at a time and parsed, the elements of the arrays a format streams (`data`, `resourceSpans`,
 * `result.resourceSpans`, a top-level array), plus every other value found on the way to them (small ones such
 * as a bare Jaeger trace's `processes`). Only one element's text is held at a time.
 *
 * It checks the structure it walks (brackets, strings, keys); each element's text is checked by JSON.parse.
 * Errors name the file, line and column, and the path inside the document.
 *
 * A file may hold several documents, each starting on a line of its own (JSON lines, as an OpenTelemetry
 * Collector's file exporter writes one export request per line): they are walked in turn, with the same paths.
 */
import { openInput, utf8ValidUpTo } from '../../files/read.js';
import { InputError } from '../../errors.js';
import { escapeControls, quoted } from '../../units/escape.js';
import { binaryTraceFile } from './binary-files.js';

export type Path = readonly (string | number)[];

/** Receives a value: its path (keys and array indices), where its text began, and its text. */
export type ValueHandler = (path: Path, value: unknown, line: number, column: number, text: string) => void;

/** Told when a document of the file ends (before the next one of a JSON lines file begins). */
export type DocumentHandler = (index: number) => void;

/**
 * Told when a container on a streamed path opens (`[]` the document itself): its path, whether it is an array, and
 * where it began. An empty one hands over no value, so this is how `{"resourceSpans": []}` is seen at all.
 */
export type ContainerHandler = (path: Path, array: boolean, line: number, column: number) => void;

const CHUNK = 1 << 20;

/**
 * JSON nested deeper than this is refused where it passes it, as the readers of the trace formats refuse it: Go's
 * encoding/json (Jaeger; scanner.go maxNestingDepth) and the OpenTelemetry Collector's OTLP/JSON reader, jsoniter
 * (json-iterator/go iter.go maxDepth), each stop at 10,000 levels. Deeper, an attribute's value nested thousands of
 * levels overflowed the stack where its fields were walked (a RangeError with a stack trace).
 */
export const MAX_JSON_DEPTH = 10_000;

interface Frame {
  array: boolean;
  key: string | null; // the current key of an object
  index: number; // the current index of an array
  expectKey: boolean;
  streamed: boolean; // an array whose elements are emitted one by one, or an object on the way to one
  had: boolean; // an element (or key) since the container opened or the last comma
  comma: boolean; // a comma was read in it
}

export function formatPath(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? '(top level)' : s;
}

/**
 * Walks `file`, calling `onValue` for each element of an array whose key path is in `streamPaths` (`[]` is a
 * top-level array) and for every other value met in an object on the way to such an array. Key paths leave out
 * array indices: with `['resourceSpans', 'scopeSpans', 'spans']` each span of `resourceSpans[i].scopeSpans[j]`
 * comes on its own (the objects of the arrays on the way walked into, their other values handed over as met).
 */
export function streamJson(file: string, streamPaths: readonly (readonly string[])[], onValue: ValueHandler, onDocument: DocumentHandler = () => {},
  onContainer: ContainerHandler = () => {}): void {
  const input = openInput(file, 'traces');
  const isPrefix = (keys: string[]) => streamPaths.some((p) => keys.length <= p.length && keys.every((k, i) => p[i] === k));
  const isStream = (keys: string[]) => streamPaths.some((p) => p.length === keys.length && keys.every((k, i) => p[i] === k));
  // On the way to a longer streamed path: an array's object elements are walked into, not captured whole.
  const descends = (keys: string[]) => streamPaths.some((p) => p.length > keys.length && keys.every((k, i) => p[i] === k));
  const stack: Frame[] = [];
  const keys: string[] = [];
  // Fatal: a byte that is not UTF-8 is refused where it is (StringDecoder put U+FFFD there: "caf\xe9" became "caf").
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const buf = Buffer.allocUnsafe(CHUNK);
  let line = 1;
  let lineStart = 0; // offset of the current line's start, in characters since the start of the file
  let base = 0; // characters before the current chunk
  let inString = false;
  let escape = false;
  let stringStart = -1; // where a key's text began, in the current chunk
  let keyText = '';
  let capturing = false;
  let captureDepth = 0;
  let captured = '';
  let captureStart = 0;
  let captureLine = 0;
  let captureCol = 0;
  let capturePath: Path = [];
  let seenAny = false;
  let done = false;
  let documents = 0;
  let newLineSinceDone = false; // a document ended and a line ended after it: another document may begin

  const fail = (message: string, at: number) => {
    throw new InputError([`${file}:${line}:${at - lineStart + 1}: ${message}`]);
  };
  const tooDeep = (at: number) => fail(`${formatPath(capturing ? capturePath : pathHere())}: JSON nested more than ${MAX_JSON_DEPTH.toLocaleString('en-US')} levels deep, which the formats' own readers refuse (Go's encoding/json, the collector's jsoniter)`, at);
  const pathHere = (): Path => stack.map((f) => (f.array ? f.index : (f.key as string)));

  const emit = (text: string) => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const msg = (e as Error).message;
      const m = /position (\d+)/.exec(msg);
      let l = captureLine, c = captureCol;
      if (m) {
        const pos = Number(m[1]);
        for (let i = 0; i < pos && i < text.length; i++) {
          if (text.charCodeAt(i) === 10) {
            l++;
            c = 1;
          } else c++;
        }
      }
      const why = msg.length > 120 ? `${msg.slice(0, 117)}...` : msg;
      throw new InputError([`${file}:${l}:${c}: ${formatPath(capturePath)}: invalid JSON: ${why}`]);
    }
    onValue(capturePath, value, captureLine, captureCol, text);
  };

  try {
    for (;;) {
      const n = input.read(buf, 0, CHUNK);
      if (base === 0 && n > 0 && !seenAny) {
        const what = binaryTraceFile(buf.subarray(0, Math.min(n, 8)));
        if (what !== null) return fail(what, 0);
      }
      let text: string;
      try {
        text = n > 0 ? decoder.decode(buf.subarray(0, n), { stream: true }) : decoder.decode();
      } catch {
        if (n === 0) return fail('not UTF-8 text: the file ends inside a character (save the file as UTF-8)', base);
        const bad = utf8ValidUpTo(buf.subarray(0, n));
        const before = buf.toString('utf8', 0, bad);
        for (let i = 0; i < before.length; i++) {
          if (before.charCodeAt(i) === 10) {
            line++;
            lineStart = base + i + 1;
          }
        }
        return fail(`not UTF-8 text: byte 0x${(buf[bad] ?? 0).toString(16).padStart(2, '0')} (save the file as UTF-8)`, base + before.length);
      }
      if (n === 0 && text === '') break;
      if (capturing) captureStart = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (captureDepth > 0 && capturing && !inString) {
          // The fast path inside an element: only strings, brackets and newlines matter until it closes.
          if (c === 34) {
            const j = closingQuote(text, i);
            if (j >= 0) i = j;
            else inString = true;
            continue;
          }
          if (c === 91 || c === 123) {
            if (++captureDepth + stack.length > MAX_JSON_DEPTH) tooDeep(base + i);
            continue;
          }
          if (c !== 93 && c !== 125) {
            if (c === 10) {
              line++;
              lineStart = base + i + 1;
            }
            continue;
          }
          if (captureDepth > 1) {
            captureDepth--;
            continue;
          }
        }
        if (c === 10) {
          line++;
          lineStart = base + i + 1;
          if (done) newLineSinceDone = true;
        }
        if (inString) {
          if (escape) escape = false;
          else if (c === 92) escape = true;
          else if (c === 34) {
            inString = false;
            if (stringStart >= 0) {
              keyText += text.slice(stringStart, i + 1);
              stringStart = -1;
            }
          }
          continue;
        }
        if (c === 32 || c === 10 || c === 13 || c === 9) continue;
        if (done) {
          if (!newLineSinceDone || (c !== 91 && c !== 123)) fail('unexpected text after the end of the document', base + i);
          // JSON lines: the next document, on a line of its own.
          onDocument(documents++);
          done = false;
          newLineSinceDone = false;
        }
        const top = stack.length > 0 ? stack[stack.length - 1] : null;
        // A value begins where a value is expected and nothing is being captured.
        if (!capturing && c !== 44 && c !== 58 && c !== 93 && c !== 125 && !(top && !top.array && top.expectKey)) {
          seenAny = true;
          if (top !== null) top.had = true;
          const streamedContainer = (c === 91 || c === 123) && (top === null || (top.streamed && (!top.array || (c === 123 && keys.length > 0 && descends(keys))))) &&
            isPrefix(top === null ? [] : [...keys]);
          if (top === null && c !== 91 && c !== 123) fail('not JSON: expected an object or an array', base + i);
          if (streamedContainer) {
            const streamed = c === 91 ? isStream(keys) || descends(keys) : true;
            if (c === 91 && !streamed) {
              // An array on no streamed path: captured whole below.
            } else {
              onContainer(pathHere(), c === 91, line, base + i - lineStart + 1);
              stack.push({ array: c === 91, key: null, index: 0, expectKey: c === 123, streamed: true, had: false, comma: false });
              continue;
            }
          }
          if (top !== null && top.streamed) {
            capturing = true;
            captureDepth = 0;
            captured = '';
            captureStart = i;
            captureLine = line;
            captureCol = base + i - lineStart + 1;
            capturePath = pathHere();
          } else if (top === null) {
            capturing = true;
            captureDepth = 0;
            captured = '';
            captureStart = i;
            captureLine = line;
            captureCol = 1;
            capturePath = [];
          }
        }
        if (capturing) {
          if (c === 34) {
            // Skip the string at once when it closes in this chunk (strings hold no raw newlines in JSON).
            const j = closingQuote(text, i);
            if (j >= 0) i = j;
            else inString = true;
            continue;
          }
          if (c === 91 || c === 123) {
            if (++captureDepth + stack.length > MAX_JSON_DEPTH) tooDeep(base + i);
            continue;
          }
          if (c === 93 || c === 125) {
            if (captureDepth > 0) {
              captureDepth--;
              if (captureDepth === 0) {
                captured += text.slice(captureStart, i + 1);
                capturing = false;
                emit(captured);
                captured = '';
                if (stack.length === 0) done = true;
              }
              continue;
            }
            // A scalar ended by the close of its container.
            captured += text.slice(captureStart, i);
            capturing = false;
            emit(captured);
            captured = '';
          } else if (c === 44) {
            if (captureDepth > 0) continue;
            captured += text.slice(captureStart, i);
            capturing = false;
            emit(captured);
            captured = '';
          } else continue;
        }
        // Structure of the streamed containers.
        const f = stack[stack.length - 1];
        if (f === undefined) fail('unexpected character', base + i);
        if (c === 34) {
          if (f.array || !f.expectKey) fail('unexpected string', base + i);
          f.had = true;
          inString = true;
          stringStart = i;
          keyText = '';
        } else if (c === 58) {
          if (f.array || !f.expectKey || keyText === '') fail('unexpected ":"', base + i);
          // A key with a raw control character (an ESC, a tab) or a bad escape is not JSON: JSON.parse threw a
          // SyntaxError with a stack.
          try {
            f.key = JSON.parse(keyText) as string;
          } catch (e) {
            fail(`invalid JSON: the key ${escapeControls(keyText.slice(0, 60))} is not a JSON string (${String((e as Error).message).replace(/ in JSON at position \d+.*$/s, '')})`, base + i);
          }
          keys.push(f.key as string);
          keyText = '';
          f.expectKey = false;
        } else if (c === 44) {
          // JSON.parse refuses [,1], [1,,2] and {"a":1,,"b":2}; the walk read them as lists with a hole.
          if (!f.had) fail('unexpected ","', base + i);
          f.had = false;
          f.comma = true;
          if (f.array) f.index++;
          else {
            if (f.expectKey) fail('unexpected ","', base + i);
            keys.pop();
            f.expectKey = true;
          }
        } else if (c === 93 || c === 125) {
          if ((c === 93) !== f.array) fail(`unexpected ${quoted(String.fromCharCode(c))}`, base + i);
          // A trailing comma ([{...},] or {"a":1,}) is not JSON: JSON.parse and Go's encoding/json refuse it.
          if (f.comma && !f.had) fail(`unexpected ${quoted(String.fromCharCode(c))} after ",": JSON allows no trailing comma`, base + i);
          if (!f.array && !f.expectKey) keys.pop();
          stack.pop();
          if (stack.length === 0) done = true;
        } else fail(`unexpected ${quoted(String.fromCharCode(c))}`, base + i);
      }
      if (capturing) captured += text.slice(captureStart);
      if (stringStart >= 0) {
        keyText += text.slice(stringStart);
        stringStart = 0;
      }
      base += text.length;
      if (n === 0) break;
    }
  } finally {
    input.close();
  }
  if (!seenAny) throw new InputError([`${file}: empty file: no JSON in it`]);
  if (!done) {
    const where = capturing ? ` in ${formatPath(capturePath)}` : stack.length > 0 ? ` in ${formatPath(pathHere())}` : '';
    throw new InputError([`${file}:${line}:${base - lineStart + 1}: truncated JSON${where}: the file ends before the document does`]);
  }
  onDocument(documents);
}

/** Index of the quote that closes the string opening at `open` in `text`, or -1 when it closes in a later chunk. */
function closingQuote(text: string, open: number): number {
  let j = open + 1;
  for (;;) {
    j = text.indexOf('"', j);
    if (j < 0) return -1;
    let b = j - 1;
    while (b > open && text.charCodeAt(b) === 92) b--;
    if ((j - 1 - b) % 2 === 0) return j;
    j++;
  }
}
