// `add @SET { KEY [timeout T] }`, `update @SET { KEY [timeout T] }` and `delete @SET { KEY }`: nft_dynset
// (net/netfilter/nft_dynset.c, v6.12). The key is looked up in the named set; an element that is
// there (and not expired) is kept, and `update` restarts its timeout (the statement's, else the
// set's) when it has one; a missing key becomes a new element with that timeout, unless the set
// already holds `size` elements, and then the rule ends (NFT_BREAK). nft makes the set dynamic
// itself (and its size 65535 when none is given). Elements expire on the model's clock, in
// jiffies (HZ=250): a lookup at or after the expiration does not find them.
import { jiffiesAt, setLookup, setTypeText, type Expr, type SetElem } from '../../model/net/netfilter/nf_tables';
import { ScenarioError } from '../types';
import type { NTok } from './lex';
import { NftCursor, q } from './nft_cursor';
import { mapKey } from './nft_datamap';
import { typeDesc } from './nft_sets';
import { msToJiffies, timeMs } from './nft_time';
import { declaredHere } from './nft_named_maps';

/** nft's size for a set a rule adds to, when its declaration gives none */
const DYNSET_DEFAULT_SIZE = 65535;

export function dynsetItem(p: NftCursor, kw: NTok): Expr {
  const ref = p.next();
  if (!ref.text.startsWith('@') || ref.text.length < 2) p.fail(ref, `syntax error: ${kw.text} @SET { KEY }: expected a set name after ${kw.text}, found ${q(ref.text)}`);
  const name = ref.text.slice(1);
  p.expect('{');
  const key = mapKey(p);
  let timeout: number | undefined;
  while (!p.is('}')) {
    const t = p.next();
    if (t.text === 'timeout' && kw.text === 'delete') p.fail(t, 'syntax error, unexpected timeout: delete @SET { KEY } takes no timeout');
    else if (t.text === 'timeout') timeout = msToJiffies(timeMs(p, p.word('a timeout')));
    else if (['counter', 'limit', 'quota', 'ct', 'expires', 'comment'].includes(t.text)) p.fail(t, `${t.text} in an element a rule adds (a stateful expression of the element) is not modelled`);
    else p.fail(t, `syntax error, unexpected ${q(t.text)}, expecting }`);
  }
  p.next();
  const op = kw.text as 'add' | 'update' | 'delete';
  p.checks.push((_e, c) => {
    const s = c.table.sets?.get(name);
    if (!s) throw new ScenarioError(`Could not process rule: No such file or directory: no set ${name} in table ${c.table.family} ${c.table.name}`, ref.pos);
    if (s.kind !== 'set') throw new ScenarioError(`${kw.text} @${name}: adding to a map from a rule is not modelled`, ref.pos);
    if (setTypeText(s) !== key.types.join(' . ')) throw new ScenarioError(`datatype mismatch, expected ${typeDesc(s.fields ?? [s.keyType])}, expression has type ${typeDesc(key.types)}`, ref.pos);
    if (s.interval) throw new ScenarioError(`${kw.text} @${name}: adding to an interval set from a rule is not modelled`, ref.pos);
    if (s.constant) throw new ScenarioError(`Could not process rule: Operation not supported: set ${name} is constant`, ref.pos);
    // nft_dynset_init needs a backend with ops->update (nft_set_rhash): the kernel picks it for a
    // set with flags dynamic (NFT_SET_EVAL) or timeout; nft adds `dynamic` itself only to a set it
    // declares in the same transaction (a set made by an earlier command keeps the fast hash, or a
    // bitmap, which cannot: EOPNOTSUPP); a statement's timeout needs a set with timeouts
    if (!s.dynamic) {
      if (declaredHere(p, c.table.family, c.table.name, name, false)) s.dynamic = true;
      else if (!s.timeoutFlag && !s.timeout) throw new ScenarioError(`Could not process rule: Operation not supported: set ${name} was made without flags dynamic, so the kernel chose a backend rules cannot add to or delete from`, ref.pos);
    }
    if (timeout !== undefined && !s.timeoutFlag && !s.timeout) throw new ScenarioError(`Could not process rule: Operation not supported: set ${name} has no timeouts (flags timeout), so ${kw.text} @${name} cannot give its element one`, ref.pos);
    // nft_dynset_init: a set a rule adds to has a size; with none given it is 65535
    if (!s.size) s.size = 0xffff;
  });
  let said = '';
  return {
    text: p.text(kw),
    setRef: name,
    ...(key.ct && { needsCt: true }),
    eval: (x) => {
      const s = x.chain.table.sets?.get(name);
      const k = key.get(x);
      if (!s || k === undefined) {
        said = `${key.words}: no such field, nothing added`;
        return false;
      }
      const now = jiffiesAt(x.net.w.sched.now);
      const hit = setLookup(s, k, now);
      // NFT_DYNSET_OP_DELETE: set->ops->delete (nft_rhash_delete) marks the element dead, and
      // lookups skip it from then on; the rule goes on either way
      if (op === 'delete') {
        if (hit) s.elems = s.elems.filter((e) => e !== hit);
        said = hit ? `${hit.text} is deleted from @${name}` : `${key.show(k)} is not in @${name}: nothing deleted`;
        return true;
      }
      const tmo = timeout ?? s.timeout;
      if (hit) {
        if (op === 'update' && hit.expires !== undefined && tmo) hit.expires = now + tmo;
        said = `${hit.text} is in @${name}${op === 'update' && hit.expires !== undefined ? `; its timeout starts again` : ''}`;
        return true;
      }
      // nelems counts what the set holds; an expired element stays until the set's GC frees it
      s.elems = s.elems.filter((e) => e.expires === undefined || now < e.expires);
      if (s.elems.length >= (s.size ?? DYNSET_DEFAULT_SIZE)) {
        said = `@${name} is full (${s.elems.length} elements): nothing added, the rule ends (NFT_BREAK)`;
        return false;
      }
      const text = key.show(k);
      const el: SetElem = { lo: k, hi: k, text, ...(tmo && { expires: now + tmo }) };
      s.elems.push(el);
      said = `${text} is added to @${name}${tmo ? `, expiring in ${tmo * 4} ms` : ''}`;
      return true;
    },
    actual: () => said,
    why: () => said,
  };
}
