// The iptables extensions the model reads, one file per kernel module (xt_*.c).
import type { XtMatch, XtTarget } from './types';
import { conntrack, state } from './conntrack';
import { dscp, ecn, tos } from './tos';
import { iprange } from './iprange';
import { ah, esp, ipcomp } from './spi';
import { sctp } from './sctp';
import { dccp } from './dccp';
import { tcpmss } from './tcpmss';
import { owner } from './owner';
import { addrtype } from './addrtype';
import { limit, quota } from './limit';
import { statistic } from './statistic';
import { hashlimit } from './hashlimit';
import { connbytes } from './connbytes';
import { connlimit } from './connlimit';
import { DSCP, NFLOG, TOS, TTL } from './targets';
import { CLASSIFY, ECN, TCPOPTSTRIP } from './mangle_targets';
import { TCPMSS } from './tcpmss_target';
import { NETMAP } from './netmap';
import { ipvs } from './ipvs';
import { string } from './string';
import { mac } from './mac';
import { helper } from './helper';
import { realm } from './realm';
import { recent } from './recent';
import { policy } from './policy';

export { IPT_PROTOS } from './protos';

export const XT_MATCHES: Record<string, XtMatch> = { conntrack, state, tos, dscp, ecn, iprange, esp, ah, ipcomp, sctp, dccp, tcpmss, owner, addrtype, limit, quota, statistic, hashlimit, connbytes, connlimit, ipvs, string, mac, helper, realm, recent, policy };

export const XT_TARGETS: Record<string, XtTarget> = { NFLOG, TOS, DSCP, TTL, ECN, CLASSIFY, TCPOPTSTRIP, NETMAP, TCPMSS };
