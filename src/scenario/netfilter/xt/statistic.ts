// -m statistic (xt_statistic.c statistic_mt; iptables-nft keeps it an xt match). --mode nth:
// libxt_statistic stores every-1 and starts the shared counter at (every-1)-packet; each packet
// moves it on (every-1 wraps to 0) and the packet that brings it to 0 matches, so packets
// number packet, packet+every, … (from 0) match. --mode random draws from the kernel's random
// numbers, which the model cannot know.
import { fail, num, q, type XtMatch } from './types';

interface St {
  mode?: string;
  every?: number;
  packet?: number;
  neg: boolean;
  prob?: boolean;
}

export const statistic: XtMatch<St> = {
  opts: { '--mode': true, '--every': true, '--packet': true, '--probability': true },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    const v = o.arg('a value');
    switch (o.opt.text) {
      case '--mode':
        if (v.text !== 'nth' && v.text !== 'random') fail(v, `statistic: Bad mode ${q(v.text)}`);
        st.mode = v.text;
        break;
      case '--every':
        st.every = num(v, 0xffffffff);
        if (st.every === 0) fail(v, 'statistic: bad --every 0');
        st.neg = st.neg || o.neg;
        break;
      case '--packet':
        st.packet = num(v, 0xffffffff);
        break;
      default: {
        const p = Number(v.text);
        if (!/^[\d.]+$/.test(v.text) || !(p >= 0 && p <= 1)) fail(v, `statistic: Bad value for "--probability" option: ${q(v.text)}`);
        st.prob = true;
        st.neg = st.neg || o.neg;
      }
    }
  },
  finish: (st, e) => {
    if (!st.mode) fail(e.tok, 'statistic: option "--mode" must be specified');
    if (st.mode === 'random') {
      if (!st.prob) fail(e.tok, 'statistic: option "--probability" must be specified');
      fail(e.tok, 'statistic --mode random is not modelled (the kernel draws a random number for each packet)');
    }
    if (st.every === undefined) fail(e.tok, 'statistic: option "--every" must be specified');
    if (st.packet === undefined) fail(e.tok, 'statistic: option "--every" also requires "--packet".');
    if (st.packet > st.every - 1) fail(e.tok, 'statistic: the --packet p must be 0 <= p <= n-1');
    const every = st.every - 1;
    let count = every - st.packet;
    return [
      {
        text: e.text,
        eval: () => {
          count = count === every ? 0 : count + 1;
          return (count === 0) !== st.neg;
        },
        actual: () => `the nth counter at ${count} (it matches at 0)`,
      },
    ];
  },
};
