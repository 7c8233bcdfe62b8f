// struct rtable / dst_entry (include/net/route.h, include/net/dst.h) and fib results.
import { numToIp } from '../../proto/addr';
import type { NetDevice } from '../core/netdevice';

export type RtnType = 'RTN_UNICAST' | 'RTN_LOCAL' | 'RTN_BROADCAST' | 'RTN_MULTICAST' | 'RTN_BLACKHOLE' | 'RTN_UNREACHABLE' | 'RTN_PROHIBIT' | 'RTN_THROW';

/** dst.input / dst.output as names: what dst_input / dst_output will call. */
export type DstInput = 'ip_local_deliver' | 'ip_forward' | 'ip_error';
export type DstOutput = 'ip_output' | 'ip_mc_output' | 'ip_rt_bug';

export class Rtable {
  constructor(
    readonly type: RtnType,
    /** dst.dev: where it leaves, or lo for local input */
    readonly dev: NetDevice,
    readonly input: DstInput | null,
    readonly output: DstOutput | null,
    /** rt_gw4: the next hop, 0 when the destination is on-link */
    readonly gateway: number,
    readonly daddr: number,
    /** rt_pmtu or the route's mtu metric, 0 for the device's */
    readonly pmtu: number,
    /** dst.error for ip_error: EHOSTUNREACH, ENETUNREACH, EACCES, EINVAL */
    readonly error: number = 0,
    /** the chosen source address for output routes */
    readonly saddr: number = 0,
  ) {}

  /** ip_mtu_locked: the route's MTU metric is locked (`mtu lock`) */
  mtuLocked = false;

  mtu(): number {
    return this.pmtu || this.dev.mtu;
  }

  describe(): string {
    const t = this.type.slice(4).toLowerCase();
    const via = this.gateway ? ` via ${numToIp(this.gateway)}` : '';
    const fn = this.input ?? this.output ?? '';
    return `${t} ${numToIp(this.daddr)}${via} dev ${this.dev.name} (${fn})`;
  }
}

export const EINVAL = 22;
export const EHOSTUNREACH = 113;
export const ENETUNREACH = 101;
export const EACCES = 13;
