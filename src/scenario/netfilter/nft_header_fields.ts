// The header fields nft knows by name (its src/proto.c templates): each is a payload load of
// some bits at some offset of the network header (ip) or of the transport header (the others),
// with the datatype its values are written in. A transport header's protocol number is the
// dependency nft puts before the load (`meta l4proto P`).
import type { PayloadBase } from './nft_payload';

/** how a value of the field is written: a number, an IPv4 address, a protocol or service name, or a symbol of the field's own table */
export type FieldType = 'int' | 'addr' | 'proto' | 'port' | Record<string, number>;

export interface HeaderField {
  offset: number;
  len: number;
  type: FieldType;
}

export interface HeaderProto {
  base: PayloadBase;
  /** the IP protocol number a transport header needs */
  proto?: number;
  fields: Record<string, HeaderField>;
}

const F = (offset: number, len: number, type: FieldType = 'int'): HeaderField => ({ offset, len, type });

export const DSCP: Record<string, number> = { cs0: 0, cs1: 8, cs2: 16, cs3: 24, cs4: 32, cs5: 40, cs6: 48, cs7: 56, af11: 10, af12: 12, af13: 14, af21: 18, af22: 20, af23: 22, af31: 26, af32: 28, af33: 30, af41: 34, af42: 36, af43: 38, ef: 46 };
export const ECN: Record<string, number> = { 'not-ect': 0, ect1: 1, ect0: 2, ce: 3 };
export const ICMP_CODES: Record<string, number> = { 'net-unreachable': 0, 'host-unreachable': 1, 'prot-unreachable': 2, 'port-unreachable': 3, 'frag-needed': 4, 'net-prohibited': 9, 'host-prohibited': 10, 'admin-prohibited': 13 };
export const IGMP_TYPES: Record<string, number> = { 'membership-query': 0x11, 'membership-report-v1': 0x12, 'membership-report-v2': 0x16, 'membership-report-v3': 0x22, 'leave-group': 0x17 };
export const DCCP_TYPES: Record<string, number> = { request: 0, response: 1, data: 2, ack: 3, dataack: 4, closereq: 5, close: 6, reset: 7, sync: 8, syncack: 9 };

const ports = { sport: F(0, 16, 'port'), dport: F(16, 16, 'port') };

export const HEADERS: Record<string, HeaderProto> = {
  ip: {
    base: 'nh',
    fields: {
      version: F(0, 4),
      hdrlength: F(4, 4),
      dscp: F(8, 6, DSCP),
      ecn: F(14, 2, ECN),
      length: F(16, 16),
      id: F(32, 16),
      'frag-off': F(48, 16),
      ttl: F(64, 8),
      protocol: F(72, 8, 'proto'),
      checksum: F(80, 16),
      saddr: F(96, 32, 'addr'),
      daddr: F(128, 32, 'addr'),
    },
  },
  tcp: { base: 'th', proto: 6, fields: { ...ports, sequence: F(32, 32), ackseq: F(64, 32), doff: F(96, 4), reserved: F(100, 4), window: F(112, 16), checksum: F(128, 16), urgptr: F(144, 16) } },
  udp: { base: 'th', proto: 17, fields: { ...ports, length: F(32, 16), checksum: F(48, 16) } },
  udplite: { base: 'th', proto: 136, fields: { ...ports, csumcov: F(32, 16), checksum: F(48, 16) } },
  icmp: { base: 'th', proto: 1, fields: { code: F(8, 8, ICMP_CODES), checksum: F(16, 16), id: F(32, 16), sequence: F(48, 16), gateway: F(32, 32), mtu: F(48, 16) } },
  igmp: { base: 'th', proto: 2, fields: { type: F(0, 8, IGMP_TYPES), mrt: F(8, 8), checksum: F(16, 16), group: F(32, 32, 'addr') } },
  sctp: { base: 'th', proto: 132, fields: { ...ports, vtag: F(32, 32), checksum: F(64, 32) } },
  dccp: { base: 'th', proto: 33, fields: { ...ports, type: F(67, 4, DCCP_TYPES) } },
  ah: { base: 'th', proto: 51, fields: { nexthdr: F(0, 8, 'proto'), hdrlength: F(8, 8), reserved: F(16, 16), spi: F(32, 32), sequence: F(64, 32) } },
  esp: { base: 'th', proto: 50, fields: { spi: F(0, 32), sequence: F(32, 32) } },
  comp: { base: 'th', proto: 108, fields: { nexthdr: F(0, 8, 'proto'), flags: F(8, 8), cpi: F(16, 16) } },
};
