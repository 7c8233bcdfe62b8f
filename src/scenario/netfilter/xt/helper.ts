// -m helper (xt_helper.c helper_mt): the conntrack helper of the connection that expected this
// one (ct->master). The model has no conntrack helpers, so no connection has a master and the
// match is its inversion: `--helper ftp` never holds, `! --helper ftp` always does.
import { fail, type XtMatch } from './types';

interface St {
  name?: string;
  neg: boolean;
}

/** xtables_save_string: bare when only letters, digits, _ and -, else in double quotes */
export const saveString = (s: string): string => (/^[\w-]+$/.test(s) ? s : `"${s.replace(/(["\\'])/g, '\\$1')}"`);

export const helper: XtMatch<St> = {
  opts: { '--helper': true },
  init: () => ({ neg: false }),
  parse: (st, o) => {
    if (st.name !== undefined) fail(o.opt, 'helper: option "--helper" can only be used once.');
    const v = o.arg('a helper name');
    if (v.text.length > 29) fail(v, 'helper: name too long (at most 29 characters)');
    st.name = v.text;
    st.neg = o.neg;
  },
  finish: (st, e) => {
    if (st.name === undefined) fail(e.tok, 'helper: option "--helper" must be specified');
    return [{ text: e.text, needsCt: true, eval: () => st.neg, actual: () => 'no helper (the connection has no master: the model has no conntrack helpers)' }];
  },
  save: (st) => [...(st.neg ? ['!'] : []), '--helper', saveString(st.name!)],
};
