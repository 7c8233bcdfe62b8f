// The IPv6 extension headers nft knows by name (nftables 1.0.6 src/exthdr.c templates): the
// header's number (what nft_exthdr asks ipv6_find_hdr for) and its fields as bit offset and bit
// length into the header. A field that is not whole bytes (frag-off, more-fragments, reserved2)
// is a load of the bytes that hold it, masked, as nft compiles it.
import type { FieldType } from './nft_header_fields';

export interface Exthdr6Field {
  offset: number;
  len: number;
  type: FieldType;
}

export interface Exthdr6 {
  /** the next-header value of this header (NEXTHDR_HOP, NEXTHDR_ROUTING, …) */
  type: number;
  fields: Record<string, Exthdr6Field>;
}

const F = (offset: number, len: number, type: FieldType = 'int'): Exthdr6Field => ({ offset, len, type });
const NH = { nexthdr: F(0, 8, 'proto'), hdrlength: F(8, 8) };

export const EXTHDRS6: Record<string, Exthdr6> = {
  hbh: { type: 0, fields: NH },
  rt: { type: 43, fields: { ...NH, type: F(16, 8), 'seg-left': F(24, 8) } },
  frag: { type: 44, fields: { nexthdr: F(0, 8, 'proto'), reserved: F(8, 8), 'frag-off': F(16, 13), reserved2: F(29, 2), 'more-fragments': F(31, 1), id: F(32, 32) } },
  dst: { type: 60, fields: NH },
  // mobility header: only its presence is modelled (`exthdr mh exists`), its fields are not
  mh: { type: 135, fields: {} },
};

/** the headers `exthdr NAME exists|missing` takes (nft 1.0.6's grammar: rt0, rt2 and srh are not among them) */
export const EXTHDR6_PRESENCE = ['hbh', 'rt', 'frag', 'dst', 'mh'];

/** the protocol names nft reads from /etc/protocols (netbase) for the IPv6 extension headers, besides exprs.ts's */
export const IPV6_PROTO_NAMES: Record<string, number> = { hopopt: 0, 'ipv6-route': 43, 'ipv6-frag': 44, 'ipv6-nonxt': 59, 'ipv6-opts': 60 };
