// -m esp (xt_esp.c), -m ah (xt_ah.c), -m ipcomp (xt_ipcomp.c): the SPI of the header inside a
// range (esp: the 32-bit SPI at offset 0; ah: at offset 4; ipcomp: the 16-bit CPI at offset 2).
// A later fragment does not match; a header cut short drops the packet (hotdrop).
import type { Expr } from '../../../model/net/netfilter/nf_tables';
import { be16, be32, l4Bytes } from './l4hdr';
import { IPPROTO_AH, IPPROTO_COMP, IPPROTO_ESP } from './protos';
import { fail, num, q, type XtMatch } from './types';

function spiMatch(mod: string, opt: string, proto: number, off: number, bits: 16 | 32): XtMatch<{ r?: [number, number]; neg: boolean }> {
  const max = bits === 32 ? 0xffffffff : 0xffff;
  return {
    opts: { [opt]: true },
    protos: [proto],
    init: () => ({ neg: false }),
    parse: (st, o) => {
      if (st.r) fail(o.opt, `${mod}: option ${q(opt)} can only be used once.`);
      const v = o.arg('an SPI or range');
      const [a, b] = v.text.split(':');
      const lo = a === '' ? 0 : num(v, 0xffffffff, a);
      const hi = b === undefined ? lo : b === '' ? 0xffffffff : num(v, 0xffffffff, b);
      st.r = [lo, hi];
      st.neg = o.neg;
    },
    finish: (st, e) => {
      const [lo, hi] = st.r ?? [0, 0xffffffff];
      const ex: Expr = {
        text: e.text,
        eval: (x) => {
          const b = l4Bytes(x, off, bits / 8);
          if (b === 'frag') return false;
          if (b === 'short') return { code: 'NF_DROP' };
          const spi = bits === 32 ? be32(b) : be16(b);
          return (spi >= lo && spi <= hi) !== st.neg;
        },
        actual: (x) => {
          const b = l4Bytes(x, off, bits / 8);
          return typeof b === 'string' ? `no ${mod} header` : `${mod} spi ${bits === 32 ? be32(b) : be16(b)}`;
        },
      };
      void max;
      return [ex];
    },
    // libxt_esp/ah/ipcomp save: nothing for the whole range (even inverted, as iptables-nft 1.8.9
    // prints it), one number for a one-value range, else LO:HI with both ends
    save: (st) => {
      const [lo, hi] = st.r ?? [0, 0xffffffff];
      if (lo === 0 && hi === 0xffffffff) return [];
      return [...(st.neg ? ['!'] : []), opt, lo === hi ? String(lo) : `${lo}:${hi}`];
    },
  };
}

export const esp = spiMatch('esp', '--espspi', IPPROTO_ESP, 0, 32);
export const ah = spiMatch('ah', '--ahspi', IPPROTO_AH, 4, 32);
export const ipcomp = spiMatch('ipcomp', '--ipcompspi', IPPROTO_COMP, 2, 16);
