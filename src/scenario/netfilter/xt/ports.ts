// The --sport/--dport options that xt_sctp and xt_dccp share: a port or range of the first two
// 16-bit words of the transport header, `!` inverting the test (sctp_mt, dccp_mt).
import { fail, numRange, q, type XtOpt } from './types';

export type PortTest = { r: [number, number]; neg: boolean };
export interface PortSt {
  sport?: PortTest;
  dport?: PortTest;
}

export const PORT_OPTS = { '--sport': true, '--source-port': true, '--dport': true, '--destination-port': true };

/** Read --sport/--dport (and their long names) into st, once each, in the module's words. */
export function parsePortOpt(st: PortSt, o: XtOpt, mod: string): void {
  const t = o.opt.text;
  const key = t === '--sport' || t === '--source-port' ? 'sport' : 'dport';
  if (st[key]) fail(o.opt, `${mod}: option ${q(t)} can only be used once.`);
  st[key] = { r: numRange(o.arg('a port or range'), 65535), neg: o.neg };
}

/** The port test: no test holds; otherwise in the range, unless inverted. */
export const portOk = (v: number, p?: PortTest): boolean => !p || (v >= p.r[0] && v <= p.r[1]) !== p.neg;

/** The save form of the port options: `[!] --sport A[:B] [!] --dport A[:B]` */
export function savePorts(st: PortSt): string[] {
  const one = (name: string, p?: PortTest): string[] => (p ? [...(p.neg ? ['!'] : []), name, p.r[0] === p.r[1] ? `${p.r[0]}` : `${p.r[0]}:${p.r[1]}`] : []);
  return [...one('--sport', st.sport), ...one('--dport', st.dport)];
}
