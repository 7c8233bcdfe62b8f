// struct rtable / dst_entry (include/net/route.h, include/net/dst.h) and fib results.
import { numToIp } from '../../proto/addr';
import type { NetDevice } from '../core/netdevice';
import type { Net } from '../net_namespace';
import type { SkBuff } from '../core/skbuff';

export type RtnType = 'RTN_UNICAST' | 'RTN_LOCAL' | 'RTN_BROADCAST' | 'RTN_MULTICAST' | 'RTN_BLACKHOLE' | 'RTN_UNREACHABLE' | 'RTN_PROHIBIT' | 'RTN_THROW';

/**
 * dst->input: the function dst_input calls, chosen by the routing decision (rt_dst_alloc sets
 * ip_local_deliver for a local route, ip_route_input_slow ip_forward or ip_error; dst_init's
 * default is dst_discard). A second family's routes bring their own (ip6_input, ip6_forward…).
 * The name is the trace's: the production build renames functions.
 */
export interface DstInput {
  readonly name: 'ip_local_deliver' | 'ip_forward' | 'ip_error' | 'dst_discard' | 'ip6_input' | 'ip6_mc_input' | 'ip6_forward' | 'ip6_pkt_discard' | 'ip6_pkt_prohibit';
  fn(net: Net, skb: SkBuff): void;
}

/** dst->output: the function dst_output calls (ip_output, ip_mc_output, ip_rt_bug); it returns what the way down returned. */
export interface DstOutput {
  readonly name: 'ip_output' | 'ip_mc_output' | 'ip_rt_bug' | 'ip6_output' | 'ip6_pkt_discard_out' | 'ip6_pkt_prohibit_out' | 'dst_discard_out';
  fn(net: Net, skb: SkBuff): number;
}

/**
 * A route as the kernel's rtable holds it: nothing of one packet. An input route is shared by
 * every packet through its next hop (FibRoute.nhc_rth_input), so the destination a packet was
 * routed for is the sk_buff's (SkBuff.dstDaddr), not the route's.
 */
export class Rtable {
  constructor(
    readonly type: RtnType,
    /** dst.dev: where it leaves, or lo for local input */
    readonly dev: NetDevice,
    readonly input: DstInput,
    readonly output: DstOutput,
    /** rt_gw4: the next hop, 0 when the destination is on-link */
    readonly gateway: number,
    /** rt_pmtu or the route's mtu metric, 0 for the device's */
    readonly pmtu: number,
    /** dst.error for ip_error: EHOSTUNREACH, ENETUNREACH, EACCES, EINVAL */
    readonly error: number = 0,
    /** the chosen source address for output routes */
    readonly saddr: number = 0,
  ) {}

  /** ip_mtu_locked: the route's MTU metric is locked (`mtu lock`) */
  mtuLocked = false;

  /** rt_genid: the namespace's generation (Fib.genid) when a cached route was made */
  genid = 0;

  /**
   * A full trace's recorder's last description of this route (Recorder.describeRoute), with the
   * destination it named, kept on it rather than in a WeakMap of the recorder's (the WeakMap's
   * set was most of what describing it cost). The model never reads it.
   */
  rec: object | undefined = undefined;

  mtu(): number {
    return this.pmtu || this.dev.mtu;
  }

  /** `daddr`: the destination the route was chosen for (SkBuff.dstDaddr; the route keeps none) */
  describe(daddr: number): string {
    return routeWhat(this.type, daddr, this.gateway, this.dev.name, this.input.name, this.output.name);
  }

  /**
   * describe() as a full trace's recorder makes it (Recorder.say: once per distinct arguments): a
   * route is made for every packet that ip_route_input routes, and its description was built anew
   * for each (0.8 KB a forwarded frame).
   */
  describeBy(say: (f: typeof routeWhat, ...args: unknown[]) => string, daddr: number): string {
    return say(routeWhat, this.type, daddr, this.gateway, this.dev.name, this.input.name, this.output.name);
  }
}

/** Rtable.describe's sentence, of the route's fields */
function routeWhat(type: RtnType, daddr: number, gateway: number, dev: string, input: DstInput['name'], output: DstOutput['name']): string {
  const t = type.slice(4).toLowerCase();
  const via = gateway ? ` via ${numToIp(gateway)}` : '';
  // an input route says what it does with a packet, an output route (input dst_discard) how it sends
  const fn = input !== 'dst_discard' ? input : output;
  return `${t} ${numToIp(daddr)}${via} dev ${dev} (${fn})`;
}

export const EINVAL = 22;
export const EHOSTUNREACH = 113;
export const ENETUNREACH = 101;
export const EACCES = 13;
