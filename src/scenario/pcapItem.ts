// The traffic item that replays a capture: `- pcap: FILE` with `into: HOST:IF` and an optional
// `timing: asis|max`. The frames arrive on HOST:IF from the wire, as `into:` items' crafted
// frames do (src/scenario/run.ts sends them; src/capture reads the file).
import type { Pair } from 'yaml';
import { q } from './diag';
import { confinedPathProblem } from './paths';
import { hostIf } from './parse';
import type { Reader } from './yamlnodes';
import type { PcapItem, SourcePos, Tok } from './types';

const KEYS = ['pcap', 'into', 'timing'];

export function parsePcapItem(r: Reader, kv: Map<string, { key: Tok; value: unknown; pair: Pair }>, pos: SourcePos): PcapItem | undefined {
  let ok = true;
  for (const p of kv.values()) {
    if (!KEYS.includes(p.key.text)) {
      r.d.error(p.key, `${q(p.key.text)}: unknown key in a capture item; it has pcap: FILE, into: HOST:IF and timing: asis|max`);
      ok = false;
    }
  }
  const pcap = kv.get('pcap')!;
  const file = r.tok(pcap.value, '`pcap`', pcap.key.pos);
  if (file) {
    const bad = confinedPathProblem(file.text);
    if (bad) {
      r.d.error(file, bad);
      ok = false;
    }
  }
  const into = kv.get('into');
  if (!into) {
    r.d.error(pcap.key, 'a capture item needs `into: HOST:IF`: the interface its frames arrive on');
    return undefined;
  }
  const who = r.tok(into.value, '`into`', into.key.pos);
  const end = who && hostIf(r, who);
  let timing: PcapItem['timing'] = 'asis';
  const t = kv.get('timing');
  if (t) {
    const w = r.tok(t.value, '`timing`', t.key.pos);
    if (w && w.text !== 'asis' && w.text !== 'max') {
      r.d.error(w, `${q(w.text)}: expected asis (the captured spacing) or max (each frame once the network has settled)`);
      ok = false;
    } else if (w) timing = w.text as PcapItem['timing'];
    else ok = false;
  }
  if (!file || !end || !ok) return undefined;
  return { kind: 'pcap', pos, file, host: end.host, ifname: end.ifname, timing };
}
