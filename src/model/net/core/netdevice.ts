// struct net_device (include/linux/netdevice.h) and its in_device addresses (include/linux/inetdevice.h).
import type { Net } from '../net_namespace';
import type { SkBuff } from './skbuff';
import type { Qdisc } from '../sched/sch_generic';
import type { SysctlCell } from '../sysctl_table';

export type DevKind = 'loopback' | 'veth' | 'nic';

export interface InIfaddr {
  /** ifa_local */
  local: number;
  plen: number;
  /** ifa_broadcast (0 when not set) */
  broadcast: number;
  scope: 'global' | 'link' | 'host';
  secondary: boolean;
}

export interface DevStats {
  rx_packets: number;
  tx_packets: number;
  rx_bytes: number;
  tx_bytes: number;
  rx_dropped: number;
  tx_dropped: number;
  rx_otherhost_dropped: number;
}

/** struct napi_struct for a NIC: the driver's RX ring drained by poll within a budget. */
export interface Napi {
  weight: number;
  /** frames DMA'd into the RX ring, waiting for the poll */
  ring: SkBuff[];
  ringSize: number;
  scheduled: boolean;
  /** NAPI_STATE_SCHED while the IRQ is masked and the poll runs */
  irqMasked: boolean;
}

export class NetDevice {
  up = false;
  /** carrier: veth has it while both ends are up, a NIC while its link partner is up */
  carrier = false;
  promisc = false;
  noarp = false;
  readonly addrs: InIfaddr[] = [];
  peer: NetDevice | null = null;
  readonly stats: DevStats = { rx_packets: 0, tx_packets: 0, rx_bytes: 0, tx_bytes: 0, rx_dropped: 0, tx_dropped: 0, rx_otherhost_dropped: 0 };
  napi: Napi | null = null;
  /** a NIC's transmitter: when (scheduler ns) it has sent the last frame it was given. A wire is
   * one frame at a time, so a short frame queued behind long ones arrives after them. */
  wireFreeAt = 0;
  qdisc!: Qdisc;
  /** hard_header_len: the Ethernet header */
  readonly hard_header_len = 14;

  /** this device's net.ipv4.conf sysctls as cells, by key (Net.devconf): read several times a packet */
  readonly conf4Cells = new Map<string, SysctlCell>();

  constructor(
    readonly net: Net,
    readonly name: string,
    readonly ifindex: number,
    public mac: string,
    readonly kind: DevKind,
    public mtu: number,
    public tx_queue_len: number,
  ) {}

  get isLoopback(): boolean {
    return this.kind === 'loopback';
  }

  /** netif_running && netif_carrier_ok: IFF_UP and IFF_LOWER_UP */
  get operUp(): boolean {
    return this.up && this.carrier;
  }

  /** the flags as `ip link` prints them */
  flagString(): string {
    const f: string[] = [];
    f.push(this.isLoopback ? 'LOOPBACK' : 'BROADCAST', 'MULTICAST');
    if (this.noarp || this.isLoopback) f.push('NOARP');
    if (this.promisc) f.push('PROMISC');
    if (this.up) f.push('UP');
    if (this.up && this.carrier) f.push('LOWER_UP');
    else if (this.up) f.push('NO-CARRIER');
    return `<${f.join(',')}>`;
  }

  primaryAddr(): InIfaddr | undefined {
    return this.addrs.find((a) => !a.secondary);
  }

  /**
   * NETIF_F_TSO in dev->features (v6.12): veth (VETH_FEATURES has NETIF_F_GSO_SOFTWARE),
   * loopback (LOOPBACK_FEATURES, likewise) and e1000 (NETIF_F_TSO for every MAC from the 82544
   * on, the 82540EM QEMU emulates among them) all take a TCP GSO sk_buff whole, so sk_can_gso
   * holds for every route and validate_xmit_skb never segments one in software.
   */
  get tso(): boolean {
    return this.kind === 'veth' || this.kind === 'loopback' || this.kind === 'nic';
  }

  /** LL_RESERVED_SPACE: the headroom a frame for this device needs (16-byte aligned) */
  llReservedSpace(): number {
    return (this.hard_header_len + 15) & ~15;
  }
}
