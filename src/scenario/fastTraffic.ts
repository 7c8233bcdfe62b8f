// A fast path for long traffic lists. The YAML library builds a full document (tokens, CST,
// nodes with ranges) at roughly 100 µs per item, more than the model needs to run the item. When
// the traffic list is the file's last section and written in the plain form every example uses
//   - from: client
//     send: udp to 10.0.2.2:53 size 200
// its items are cut here line by line into the same YAML nodes (same values, same ranges), and
// the rest of the file goes through the YAML library as before. Any other form (quotes,
// comments, flow style, tabs, CRLF…) takes the general path, so what is accepted and every
// error message stay the same.
import { Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';

export interface TrafficSplit {
  /** the file up to the end of `traffic:` (without its line break) */
  head: string;
  /** offset of the `traffic` key */
  keyAt: number;
  seq: YAMLSeq;
}

const ITEM = /^( *)- ([A-Za-z][\w-]*): (.*)$/;
const MORE = /^( *)([A-Za-z][\w-]*): (.*)$/;
/** a plain scalar that YAML reads as this very string: no quote, comment, flow, anchor or tag, no `: ` */
const SAFE = /^[A-Za-z0-9_./][A-Za-z0-9_./:=+,@%-]*(?: [A-Za-z0-9_./:=+,@%-]+)*$/;
const NULLS = new Set(['null', 'Null', 'NULL', '~']);

function scalar(value: string, from: number, to: number, next: number): Scalar {
  const s = new Scalar(value);
  s.type = 'PLAIN';
  s.range = [from, to, next];
  return s;
}

export function splitTraffic(text: string): TrafficSplit | undefined {
  if (text.length < 4096 || text.includes('\r') || text.includes('\t')) return undefined; // short files: not worth it
  const m = /^traffic: *\n/m.exec(text.slice(text.lastIndexOf('\ntraffic:')));
  if (!m || text.lastIndexOf('\ntraffic:') < 0) return undefined;
  const keyAt = text.lastIndexOf('\ntraffic:') + 1;
  const bodyAt = keyAt + m[0].length;
  const seq = new YAMLSeq();
  let map: YAMLMap | undefined;
  let indent = -1;
  let at = bodyAt;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    const line = text.slice(at, end);
    const next = end < text.length ? end + 1 : end;
    if (line.trim() === '') {
      at = next;
      continue;
    }
    const item = ITEM.exec(line);
    const more = item ? null : MORE.exec(line);
    const parts = item ?? more;
    if (!parts) return undefined;
    const [, sp, key, value] = parts;
    if (!SAFE.test(value) || NULLS.has(value)) return undefined;
    const keyOff = at + sp.length + (item ? 2 : 0);
    const valOff = keyOff + key.length + 2;
    if (item) {
      if (indent < 0) indent = sp.length;
      if (sp.length !== indent) return undefined;
      map = new YAMLMap();
      map.range = [keyOff, end, next];
      seq.items.push(map);
    } else if (!map || sp.length !== indent + 2) return undefined;
    map!.items.push(new Pair(scalar(key, keyOff, keyOff + key.length, keyOff + key.length), scalar(value, valOff, end, next)));
    map!.range![1] = end;
    map!.range![2] = next;
    at = next;
  }
  if (!seq.items.length) return undefined;
  seq.range = [bodyAt, text.length, text.length];
  return { head: text.slice(0, bodyAt - 1), keyAt, seq };
}
