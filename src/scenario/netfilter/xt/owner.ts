// -m owner (xt_owner.c owner_mt, revision 1): the uid/gid of the socket that sent the packet.
// Without a socket the match holds only when every test given is inverted; --socket-exists
// tests that there is one. Only at LOCAL_OUT and POST_ROUTING (the module's hooks).
import { skOwner } from '../sock_exprs';
import { fail, num, q, type XtMatch } from './types';

type R = { lo: number; hi: number; neg: boolean };
interface St {
  uid?: R;
  gid?: R;
  sock?: { neg: boolean };
  suppl?: boolean;
}

/** user and group names: the model's machine knows root (0) only */
function idRange(v: { text: string; pos: import('../../types').SourcePos }, what: 'user' | 'group'): [number, number] {
  const one = (s: string): number => (s === 'root' ? 0 : /^\d+$/.test(s) ? num(v, 0xfffffffe, s) : fail(v, `owner: bad ${what} ${q(s)} (the model knows root and numbers)`));
  const [a, b] = v.text.split('-');
  const lo = one(a);
  const hi = b === undefined ? lo : one(b);
  if (lo > hi) fail(v, `owner: bad ${what} range ${q(v.text)}`);
  return [lo, hi];
}

export const owner: XtMatch<St> = {
  opts: { '--uid-owner': true, '--gid-owner': true, '--socket-exists': false, '--suppl-groups': false },
  init: () => ({}),
  parse: (st, o) => {
    const t = o.opt.text;
    if (t === '--suppl-groups') {
      if (!st.gid) fail(o.opt, 'owner: Bad value for "--suppl-groups" option: "you need to use --gid-owner first"');
      if (o.neg) fail(o.opt, 'owner: "--suppl-groups" cannot be inverted');
      st.suppl = true;
      return;
    }
    if (t === '--socket-exists') {
      if (st.sock) fail(o.opt, 'owner: option "--socket-exists" can only be used once.');
      st.sock = { neg: o.neg };
      return;
    }
    const key = t === '--uid-owner' ? 'uid' : 'gid';
    if (st[key]) fail(o.opt, `owner: option ${q(t)} can only be used once.`);
    const [lo, hi] = idRange(o.arg('an id or range'), key === 'uid' ? 'user' : 'group');
    st[key] = { lo, hi, neg: o.neg };
  },
  // libxt_owner's save: socket, uid, gid, supplementary groups, in that order, ids as numbers
  save: (st) => {
    const id = (opt: string, r?: R): string[] => (r ? [...(r.neg ? ['!'] : []), opt, r.lo === r.hi ? String(r.lo) : `${r.lo}-${r.hi}`] : []);
    return [...(st.sock ? [...(st.sock.neg ? ['!'] : []), '--socket-exists'] : []), ...id('--uid-owner', st.uid), ...id('--gid-owner', st.gid), ...(st.suppl ? ['--suppl-groups'] : [])];
  },
  finish: (st, e) => {
    if (!st.uid && !st.gid && !st.sock) fail(e.tok, 'owner: at least one of "--uid-owner", "--gid-owner", "--socket-exists" is required');
    e.check((_e, c) => {
      if (c.base && c.base.hook !== 'output' && c.base.hook !== 'postrouting') fail(e.tok, `owner match: only valid in OUTPUT/POSTROUTING, not ${c.name} (iptables: RULE_APPEND failed (Invalid argument))`);
    });
    const tests = [st.uid, st.gid, st.sock].filter((t) => t !== undefined);
    return [
      {
        text: e.text,
        eval: (x) => {
          const who = skOwner(x);
          if (!who) return tests.every((t) => t.neg);
          if (st.sock?.neg) return false;
          if (st.uid && (who.uid >= st.uid.lo && who.uid <= st.uid.hi) === st.uid.neg) return false;
          // the socket's supplementary groups (--suppl-groups) are root's own: gid 0 only
          if (st.gid && (who.gid >= st.gid.lo && who.gid <= st.gid.hi) === st.gid.neg) return false;
          return true;
        },
        actual: (x) => {
          const who = skOwner(x);
          return who ? `a socket of uid ${who.uid}, gid ${who.gid}` : 'no local socket';
        },
      },
    ];
  },
};
