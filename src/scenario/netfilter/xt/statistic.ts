// -m statistic: --mode nth is nft's `numgen inc mod EVERY == PACKET` under iptables-nft 1.8.9
// (nft_numgen.c: a counter that goes 1, 2, …, EVERY-1, 0, 1, … and the rule compares it);
// --mode random draws from the kernel's random numbers, which the model cannot know.
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
        if (st.every === 0) fail(v, 'statistic: --every must be at least 1');
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
    if (st.packet >= st.every) fail(e.tok, 'statistic: "--packet" must be less than "--every"');
    const every = st.every;
    const want = st.packet;
    let counter = 0;
    let last = 0;
    return [
      {
        text: e.text,
        eval: () => {
          counter = counter + 1 < every ? counter + 1 : 0;
          last = counter;
          return (counter === want) !== st.neg;
        },
        actual: () => `numgen inc mod ${every} gave ${last}`,
      },
    ];
  },
};
