// Ethernet II header (include/uapi/linux/if_ether.h).
import { bytesToMac, macToBytes, rd16, wr16 } from './addr';

export const ETH_HLEN = 14;
export const ETH_ZLEN = 60;
export const ETH_DATA_LEN = 1500;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_IPV6 = 0x86dd;

export const ETH_P_NAMES: Record<number, string> = {
  [ETH_P_IP]: 'ETH_P_IP',
  [ETH_P_ARP]: 'ETH_P_ARP',
  [ETH_P_IPV6]: 'ETH_P_IPV6',
};

export interface EthHdr {
  dst: string;
  src: string;
  proto: number;
}

export function writeEth(b: Uint8Array, off: number, h: EthHdr): void {
  // byte by byte: TypedArray.set from a JS array is a generic copy, slower than six stores
  const d = macToBytes(h.dst);
  const s = macToBytes(h.src);
  if (off < 0 || off + ETH_HLEN > b.length || d.length !== 6 || s.length !== 6) {
    b.set(d, off);
    b.set(s, off + 6);
  } else {
    for (let i = 0; i < 6; i++) {
      b[off + i] = d[i];
      b[off + 6 + i] = s[i];
    }
  }
  wr16(b, off + 12, h.proto);
}

export function readEth(b: Uint8Array, off: number): EthHdr {
  return { dst: bytesToMac(b, off), src: bytesToMac(b, off + 6), proto: rd16(b, off + 12) };
}
