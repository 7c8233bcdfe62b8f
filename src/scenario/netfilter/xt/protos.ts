// Protocol names iptables takes for -p (libxtables' built-in table, as /etc/protocols names them).
import { PROTO_BY_NAME } from '../exprs';

export const IPPROTO_SCTP = 132;
export const IPPROTO_DCCP = 33;
export const IPPROTO_UDPLITE = 136;
export const IPPROTO_ESP = 50;
export const IPPROTO_AH = 51;
export const IPPROTO_COMP = 108;

export const IPT_PROTOS: Record<string, number> = { ...PROTO_BY_NAME, sctp: IPPROTO_SCTP, dccp: IPPROTO_DCCP, udplite: IPPROTO_UDPLITE, esp: IPPROTO_ESP, ah: IPPROTO_AH, ipcomp: IPPROTO_COMP };
