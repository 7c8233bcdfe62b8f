// ARP over Ethernet for IPv4 (include/uapi/linux/if_arp.h): 28 bytes after the Ethernet header.
import { bytesToMac, macToBytes, rd16, rd32, wr16, wr32 } from './addr';
import { ETH_P_IP } from './ethernet';

export const ARPHRD_ETHER = 1;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
export const ARP_HLEN = 28;

export interface ArpHdr {
  op: number;
  sha: string;
  sip: number;
  tha: string;
  tip: number;
  hrd?: number;
  pro?: number;
  hln?: number;
  pln?: number;
}

export function writeArp(b: Uint8Array, off: number, h: ArpHdr): void {
  wr16(b, off, h.hrd ?? ARPHRD_ETHER);
  wr16(b, off + 2, h.pro ?? ETH_P_IP);
  b[off + 4] = h.hln ?? 6;
  b[off + 5] = h.pln ?? 4;
  wr16(b, off + 6, h.op);
  b.set(macToBytes(h.sha), off + 8);
  wr32(b, off + 14, h.sip);
  b.set(macToBytes(h.tha), off + 18);
  wr32(b, off + 24, h.tip);
}

export function readArp(b: Uint8Array, off: number): ArpHdr {
  return {
    hrd: rd16(b, off),
    pro: rd16(b, off + 2),
    hln: b[off + 4],
    pln: b[off + 5],
    op: rd16(b, off + 6),
    sha: bytesToMac(b, off + 8),
    sip: rd32(b, off + 14),
    tha: bytesToMac(b, off + 18),
    tip: rd32(b, off + 24),
  };
}
