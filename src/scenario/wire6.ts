// The `send:` line of an `into:` item whose addresses are IPv6: a crafted IPv6 frame, field by
// field. `udp from [A]:P to [B]:P …` or `icmp echo-request from A to B …`, then: hop-limit,
// tclass, size (the IPv6 packet's length), payload, frag offset N [more], id (the Fragment
// header's identification), ext (extension headers in order), next-header (what the last header
// names instead of the upper layer), bad-udp-checksum / bad-icmp-checksum, dst-mac, src-mac.
// Anything else is refused at its word.
import type { Args } from './args';
import { q } from './diag';
import { tokUint } from './syntax';
import { SHARED_WIRE_OPTIONS, sharedWireOption } from './wire_options';
import type { Tok, WireSend } from './types';
import type { Ext6 } from '../model/net/packet/frame6';
import { extLength } from '../model/net/packet/frame6';
import { KNOWN_DEST_OPTIONS, KNOWN_HOP_OPTIONS } from '../model/net/ipv6/exthdrs';

export const WIRE6_OPTIONS = ['hop-limit', 'tclass', 'size', 'payload', 'frag', 'id', 'ext', 'next-header', 'dst-mac', 'src-mac'];
const V4_ONLY = ['ttl', 'tos', 'df', 'no-df', 'bad-ip-checksum', 'version', 'ihl', 'truncate'];

/** The smallest IPv6 packet for these headers: 40, the extension headers, the Fragment header, and the upper layer's 8-byte header in a first fragment. */
export function minSize6(s: WireSend): number {
  return 40 + extLength(s.ext ?? []) + (s.frag ? 8 : 0) + (s.frag && s.frag.offset > 0 ? 0 : 8);
}

function parseExt(a: Args, w: Tok): Ext6[] | undefined {
  const out: Ext6[] = [];
  for (const item of w.text.split(',')) {
    const [kind, arg] = item.split(':');
    const n = arg === undefined ? undefined : /^0x[0-9a-f]+$/i.test(arg) ? parseInt(arg, 16) : /^\d+$/.test(arg) ? Number(arg) : NaN;
    if (kind === 'hop' || kind === 'dst') {
      if (n !== undefined && (Number.isNaN(n) || n < 2 || n > 255)) return a.fail(w, `${q(item)}: an option type is a number from 2 to 255 (0 and 1 are padding)`);
      const known = kind === 'hop' ? KNOWN_HOP_OPTIONS : KNOWN_DEST_OPTIONS;
      if (n !== undefined && known.includes(n)) return a.fail(w, `${q(item)}: option type 0x${n.toString(16)} is one the kernel acts on (${kind === 'hop' ? 'router alert, jumbo payload, CALIPSO, IOAM' : 'home address'}): not modelled`);
      out.push({ kind, opt: n });
    } else if (kind === 'rt0') {
      if (n === undefined || Number.isNaN(n) || n > 255) return a.fail(w, `${q(item)}: write rt0:SEGMENTS_LEFT (0 to 255)`);
      out.push({ kind: 'rt0', segleft: n });
    } else return a.fail(w, `${q(item)}: an extension header is hop, hop:OPT, dst, dst:OPT or rt0:SEGMENTS_LEFT (other routing types, AH and ESP are not modelled)`);
  }
  if (out.length > 6) return a.fail(w, 'at most 6 extension headers');
  return out;
}

/** One option word of an IPv6 wire send; undefined when it failed (the error is reported). */
export function wire6Option(a: Args, t: Tok, s: WireSend): unknown {
  if (SHARED_WIRE_OPTIONS.includes(t.text)) return sharedWireOption(a, t, s);
  const num = (min: number, max: number): number | undefined => {
    const w = a.arg(t, 'a number');
    return w && tokUint(w, a.d, min, max, q(t.text));
  };
  switch (t.text) {
    case 'hop-limit':
      return (s.ttl = num(0, 255));
    case 'tclass':
      return (s.tos = num(0, 255));
    case 'size':
      return (s.size = num(40, 65535));
    case 'id':
      return (s.id = num(0, 0xffffffff));
    case 'next-header':
      return (s.nextHeader = num(0, 255));
    case 'ext': {
      const w = a.arg(t, 'extension headers: hop, hop:OPT, dst, dst:OPT, rt0:SEGMENTS_LEFT, comma-separated');
      const e = w && parseExt(a, w);
      return e && (s.ext = e);
    }
    case 'bad-udp-checksum':
    case 'bad-icmp-checksum':
      return (s.badL4Checksum = true);
  }
  return undefined;
}

/** Whether a word is an IPv4-only field (refused with that reason rather than as unknown). */
export function v4Only(t: Tok): boolean {
  return V4_ONLY.includes(t.text);
}
