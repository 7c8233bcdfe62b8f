// The options a crafted frame (`into:`) takes whatever its IP version: the fragment's offset and
// "more" flag, the Ethernet addresses and the payload text. traffic.ts (IPv4) and wire6.ts (IPv6)
// both read them here, so the two spell and check them alike.
import type { Args } from './args';
import { q } from './diag';
import { tokMac, tokUint } from './syntax';
import type { Tok, WireSend } from './types';

export const SHARED_WIRE_OPTIONS = ['frag', 'dst-mac', 'src-mac', 'payload'];

/** The next word must be `word` (after `after`): the error says which word was there instead. */
export function expectWord(a: Args, word: string, after: Tok): Tok | undefined {
  const t = a.peek();
  if (t?.text === word) return a.next();
  if (!t) return a.fail(after, `expected ${q(word)} after ${q(after.text)}`);
  return a.fail(t, `${q(t.text)}: expected ${q(word)}`);
}

/** One of SHARED_WIRE_OPTIONS into `s`; undefined when it failed (the error is in `a`). */
export function sharedWireOption(a: Args, t: Tok, s: WireSend): unknown {
  switch (t.text) {
    case 'frag': {
      const o = expectWord(a, 'offset', t);
      const n = o && a.arg(o, 'a byte offset (a multiple of 8)');
      const off = n && tokUint(n, a.d, 0, 65528, 'fragment offset');
      if (n && off !== undefined && off % 8 !== 0) return a.fail(n, `fragment offset ${off} is not a multiple of 8 (the header counts in 8-byte units)`);
      const more = a.peek()?.text === 'more' && !!a.next();
      return off !== undefined ? (s.frag = { offset: off, more }) : undefined;
    }
    case 'dst-mac':
    case 'src-mac': {
      const m = a.arg(t, 'a MAC address');
      const v = m && tokMac(m, a.d);
      if (v) s[t.text === 'dst-mac' ? 'dstMac' : 'srcMac'] = v;
      return v;
    }
    case 'payload': {
      const w = a.arg(t, 'a text');
      return w && (s.payload = w.text);
    }
  }
  return undefined;
}
