// net/ipv6/mcast.c (v6.12): the multicast groups a device has joined (ifmcaddr6 on
// inet6_dev->mc_list, newest first) and the unsolicited MLDv2 reports the kernel sends for them.
// A join on a device that is up (igmp6_group_added) or the device coming up (ipv6_mc_up) sets
// the group's change count to mc_qrv and runs mld_ifc_work two jiffies later: one report with a
// CHANGE_TO_EXCLUDE record per group still counting, sent again mc_qrv - 1 times at a random time
// within mldv2_unsolicited_report_interval. A leave does the same with CHANGE_TO_INCLUDE (the
// group kept on mc_tomb meanwhile). While the link-local address is tentative the reports go
// from ::; when its DAD is over (ipv6_mc_dad_complete) every group is reported again from it,
// mc_qrv times. With force_mld_version=1 (MLDv1 mode, mld_in_v1_mode) none of that: each group
// joined on a device that is up gets an MLDv1 report to itself at once and again from its
// mca_work within mldv1_unsolicited_report_interval (igmp6_join_group), and a group left that
// we reported a done to ff02::2 (igmp6_leave_group). The model draws no random delay: it takes
// the latest the kernel can draw.
import type { Net } from '../net_namespace';
import type { NetDevice } from '../core/netdevice';
import type { Task } from '../../sim/scheduler';
import { allocSkb, type SkBuff } from '../core/skbuff';
import { ETH_P_IPV6 } from '../../proto/ethernet';
import { IPV6_HLEN, NEXTHDR_HOP, NEXTHDR_ICMP, writeIcmp6, writeIpv6 } from '../../proto/ipv6';
import { ipv6AddrEqual } from '../../proto/inet_addr';
import { formatIpv6, parseIpv6 } from '../../../trace/ipv6';
import { JIFFY_MS } from '../../proc/sysctl';
import { NotModelled } from '../../sim/not_modelled';
import { icmp6_dst_alloc } from './route';
import { nf_hook6 } from './netfilter';
import { icmp6_out_count } from './icmp';
import { isTentative } from './ipv6_state';
import { snmpId } from '../snmp_ids';

// SNMP counters by slot (snmp_ids.ts), resolved once
const SNMP_Ip6OutDiscards = snmpId('Ip6OutDiscards');
const SNMP_Ip6OutRequests = snmpId('Ip6OutRequests');

const FILE = 'net/ipv6/mcast.c';
/** ICMPV6_MLD2_REPORT */
export const ICMPV6_MLD2_REPORT = 143;
/** ICMPV6_MGM_REPORT, ICMPV6_MGM_REDUCTION: MLDv1's report and done (RFC 2710) */
export const ICMPV6_MGM_REPORT = 131;
export const ICMPV6_MGM_REDUCTION = 132;
/** in6addr_linklocal_allrouters: where an MLDv1 done goes */
const ALL_ROUTERS = parseIpv6('ff02::2')!;
/** MLD2_CHANGE_TO_INCLUDE, MLD2_CHANGE_TO_EXCLUDE (include/uapi/linux/icmpv6.h … mld.h) */
export const MLD2_CHANGE_TO_INCLUDE = 3;
export const MLD2_CHANGE_TO_EXCLUDE = 4;
/** sysctl_mld_qrv: MLD_QRV_DEFAULT. Its sysctl (net.ipv6.mld_qrv) is in ipv6_rotable, registered in init_net only: a namespace has no file for it. */
export const MLD_QRV = 2;
/** mld2_all_mcr: ff02::16, all MLDv2-capable routers */
export const MLD2_ALL_MCR = parseIpv6('ff02::16')!;
/** The hop-by-hop header mld_newpack writes: next header ICMPv6, length 0, Router Alert (type 5, value 0: MLD), PadN of 2 */
const RA_HOPOPTS = [NEXTHDR_ICMP, 0, 5, 2, 0, 0, 1, 0];
/** sizeof(struct mld2_report) and sizeof(struct mld2_grec) without sources */
const MLD2_REPORT_LEN = 8;
const MLD2_GREC_LEN = 20;
const MS = 1e6;

/** struct ifmcaddr6: one group on a device (the kernel joins with MCAST_EXCLUDE and no sources: the model's only mode). */
export interface Ifmcaddr6 {
  addr: Uint8Array;
  users: number;
  /** mca_crcount: how many more reports carry a filter-mode change record for it */
  crcount: number;
  /** MAF_NOREPORT: all-nodes and scopes below link-local are never reported */
  noreport: boolean;
  /** MLDv1: mca_work (the delayed report igmp6_join_group queues) and MAF_LAST_REPORTER */
  work?: Task;
  lastReporter?: boolean;
}

/** The multicast half of an inet6_dev. */
export interface Inet6DevMc {
  list: Ifmcaddr6[];
  /** mc_tomb: groups left, reported (CHANGE_TO_INCLUDE) until their crcount runs out */
  tomb: Ifmcaddr6[];
  qrv: number;
  /** mc_ifc_count and mc_ifc_work */
  ifcCount: number;
  ifcWork?: Task;
  /** mc_dad_count and mc_dad_work */
  dadCount: number;
  dadWork?: Task;
}

function mcScope(a: Uint8Array): number {
  return a[1] & 0x0f;
}

/** mca_alloc: MAF_NOREPORT for ff02::1 and any group of a scope below link-local (2). */
function noReport(a: Uint8Array): boolean {
  return mcScope(a) < 2 || ipv6AddrEqual(a, parseIpv6('ff02::1')!);
}

/**
 * The device's multicast state, made as ipv6_add_dev makes it: the interface-local all-nodes
 * group ff01::1, then all-nodes ff02::1 (each at the head of mc_list). ipv6_add_dev joins
 * ff02::2 too when the device forwards from its start; every device of a scenario is made before
 * its setup lines (forwarding 0), so that join is dev_forward_change's (addrconf_forward_change6).
 */
export function idevMc(net: Net, dev: NetDevice): Inet6DevMc {
  let m = net.ipv6.mc.get(dev.ifindex);
  if (!m) {
    m = { list: [], tomb: [], qrv: MLD_QRV, ifcCount: 0, dadCount: 0 };
    net.ipv6.mc.set(dev.ifindex, m);
    for (const g of ['ff01::1', 'ff02::1']) m.list.unshift({ addr: parseIpv6(g)!, users: 1, crcount: 0, noreport: true });
  }
  return m;
}

/** ipv6_chk_mcast_addr's question: has the device joined the group? */
export function mcJoined(net: Net, dev: NetDevice, group: Uint8Array): boolean {
  return idevMc(net, dev).list.some((g) => ipv6AddrEqual(g.addr, group));
}

/**
 * mld_in_v1_mode: force_mld_version 1 (all's when not 0, else the device's). The other way into
 * MLDv1, an MLDv1 query heard (mc_v1_seen), is not there: the model takes no queries in.
 */
export function mld_in_v1_mode(net: Net, dev: NetDevice): boolean {
  const all = net.get('net.ipv6.conf.all.force_mld_version');
  return (all || net.get(`net.ipv6.conf.${dev.name}.force_mld_version`)) === 1;
}

/** unsolicited_report_interval: mldv1_ or mldv2_unsolicited_report_interval by the mode, in jiffies, at least 1. */
function reportIntervalJiffies(net: Net, dev: NetDevice): number {
  const ms = net.get(`net.ipv6.conf.${dev.name}.${mld_in_v1_mode(net, dev) ? 'mldv1' : 'mldv2'}_unsolicited_report_interval`);
  return Math.max(1, Math.round(ms / JIFFY_MS));
}

/**
 * The delay mld_ifc_start_work and mld_dad_start_work put on their work: get_random_u32_below(
 * `boundJiffies`) plus 2 jiffies. The model takes the latest the kernel can draw (the bound less
 * one jiffy), so at the model's end of the link-up the kernel's is over too, as for DAD's delay.
 */
export function mldDelayMs(boundJiffies: number): number {
  return (boundJiffies - 1 + 2) * JIFFY_MS;
}

/** ipv6_dev_mc_inc: one more user of the group; a new group goes to the head of mc_list and is announced. */
export function ipv6_dev_mc_inc(net: Net, dev: NetDevice, group: Uint8Array): void {
  const m = idevMc(net, dev);
  const have = m.list.find((g) => ipv6AddrEqual(g.addr, group));
  if (have) {
    have.users++;
    return;
  }
  const mc: Ifmcaddr6 = { addr: group, users: 1, crcount: 0, noreport: noReport(group) };
  m.list.unshift(mc);
  // mld_del_delrec: a group joined again while still on mc_tomb is taken off it
  m.tomb = m.tomb.filter((g) => !ipv6AddrEqual(g.addr, group));
  igmp6_group_added(net, dev, mc);
}

/** ipv6_dev_mc_dec: one user less; the last one leaves the group (igmp6_group_dropped). */
export function ipv6_dev_mc_dec(net: Net, dev: NetDevice, group: Uint8Array): void {
  const m = idevMc(net, dev);
  const i = m.list.findIndex((g) => ipv6AddrEqual(g.addr, group));
  if (i < 0) return;
  const mc = m.list[i];
  if (--mc.users > 0) return;
  m.list.splice(i, 1);
  // igmp6_group_dropped: the group's own work stops (cancel_delayed_work(&mc->mca_work))
  net.w.sched.cancel(mc.work);
  if (mc.noreport || mcScope(mc.addr) < 2) return;
  if (mld_in_v1_mode(net, dev)) {
    // igmp6_leave_group (MLDv1): a done to ff02::2 if we sent the last report for it
    if (mc.lastReporter) igmp6_send(net, dev, mc.addr, ICMPV6_MGM_REDUCTION);
    return;
  }
  // igmp6_leave_group (MLDv2): mld_add_delrec keeps it on mc_tomb with crcount mc_qrv, then mld_ifc_event
  m.tomb.unshift({ addr: mc.addr, users: 0, crcount: m.qrv, noreport: false });
  mld_ifc_event(net, dev);
}

/** igmp6_group_added: a reportable group on a device that is up is joined in MLDv1 mode, or gets mc_qrv change records (MLDv2). */
function igmp6_group_added(net: Net, dev: NetDevice, mc: Ifmcaddr6): void {
  if (mcScope(mc.addr) < 2 || !dev.up || mc.noreport) return;
  if (mld_in_v1_mode(net, dev)) {
    igmp6_join_group(net, dev, mc);
    return;
  }
  mc.crcount = idevMc(net, dev).qrv;
  mld_ifc_event(net, dev);
}

/**
 * igmp6_join_group (MLDv1): a report now, and again from mca_work after get_random_u32_below(
 * unsolicited_report_interval) — the model takes the latest, one jiffy less than the interval —
 * or, when that work is already pending, at its time (a second join keeps it). MAF_LAST_REPORTER.
 */
function igmp6_join_group(net: Net, dev: NetDevice, mc: Ifmcaddr6): void {
  if (mc.noreport) return;
  igmp6_send(net, dev, mc.addr, ICMPV6_MGM_REPORT);
  if (!mc.work || mc.work.done || mc.work.cancelled) {
    mc.work = net.w.sched.after((reportIntervalJiffies(net, dev) - 1) * JIFFY_MS * MS, () => mld_mca_work(net, dev, mc), false, 'process');
  }
  mc.lastReporter = true;
}

/** mld_mca_work: the delayed MLDv1 report (an MLDv2 one is sent only in answer to a query, which the model takes none of). */
function mld_mca_work(net: Net, dev: NetDevice, mc: Ifmcaddr6): void {
  mc.work = undefined;
  net.call('mld_mca_work', () => {
    if (!mld_in_v1_mode(net, dev)) throw new NotModelled(`mld_mca_work on ${dev.name} after force_mld_version left 1: an MLDv2 report for one group (mld_send_report) is not modelled`);
    igmp6_send(net, dev, mc.addr, ICMPV6_MGM_REPORT);
    mc.lastReporter = true;
  });
}

/** mld_ifc_event: mc_ifc_count = mc_qrv, mld_ifc_work after get_random_u32_below(1) + 2 jiffies (always 2); nothing in MLDv1 mode. */
function mld_ifc_event(net: Net, dev: NetDevice): void {
  if (mld_in_v1_mode(net, dev)) return;
  const m = idevMc(net, dev);
  m.ifcCount = m.qrv;
  mld_ifc_start_work(net, dev, 1);
}

/** mld_ifc_start_work: mod_delayed_work moves a pending work to the new time. */
function mld_ifc_start_work(net: Net, dev: NetDevice, boundJiffies: number): void {
  const m = idevMc(net, dev);
  net.w.sched.cancel(m.ifcWork);
  m.ifcWork = net.w.sched.after(mldDelayMs(boundJiffies) * MS, () => mld_ifc_work(net, dev), false, 'process');
}

function mld_ifc_work(net: Net, dev: NetDevice): void {
  const m = idevMc(net, dev);
  m.ifcWork = undefined;
  net.call('mld_ifc_work', () => {
    mld_send_cr(net, dev);
    if (m.ifcCount) {
      m.ifcCount--;
      if (m.ifcCount) mld_ifc_start_work(net, dev, reportIntervalJiffies(net, dev));
    }
  });
}

/**
 * mld_send_cr: the groups left (mc_tomb) with CHANGE_TO_INCLUDE while their crcount lasts, then
 * the joined ones whose crcount lasts with CHANGE_TO_EXCLUDE (no sources: the source-list change
 * records of add_grec are empty and left out). Each record counts its group's crcount down.
 */
function mld_send_cr(net: Net, dev: NetDevice): void {
  const m = idevMc(net, dev);
  const recs: { type: number; addr: Uint8Array }[] = [];
  for (const g of m.tomb) {
    if (!g.crcount) continue;
    recs.push({ type: MLD2_CHANGE_TO_INCLUDE, addr: g.addr });
    g.crcount--;
  }
  m.tomb = m.tomb.filter((g) => g.crcount > 0);
  for (const g of m.list) {
    if (!g.crcount) continue;
    recs.push({ type: MLD2_CHANGE_TO_EXCLUDE, addr: g.addr });
    g.crcount--;
  }
  mld_sendpack(net, dev, recs, 'mld_send_cr');
}

/** mld_send_initial_cr: every reportable group with CHANGE_TO_EXCLUDE (crsend: whatever its crcount); nothing in MLDv1 mode. */
function mld_send_initial_cr(net: Net, dev: NetDevice): void {
  if (mld_in_v1_mode(net, dev)) return;
  const recs = idevMc(net, dev)
    .list.filter((g) => !g.noreport)
    .map((g) => ({ type: MLD2_CHANGE_TO_EXCLUDE, addr: g.addr }));
  mld_sendpack(net, dev, recs, 'mld_send_initial_cr');
}

/**
 * ipv6_mc_dad_complete (addrconf_dad_completed, for the device's only valid link-local address):
 * the reports sent from :: while it was tentative are sent again from it, mc_qrv times.
 */
export function ipv6_mc_dad_complete(net: Net, dev: NetDevice): void {
  const m = idevMc(net, dev);
  m.dadCount = m.qrv;
  if (!m.dadCount) return;
  net.call('ipv6_mc_dad_complete', () => {
    mld_send_initial_cr(net, dev);
    m.dadCount--;
    if (m.dadCount) mld_dad_start_work(net, dev);
  });
}

function mld_dad_start_work(net: Net, dev: NetDevice): void {
  const m = idevMc(net, dev);
  net.w.sched.cancel(m.dadWork);
  m.dadWork = net.w.sched.after(mldDelayMs(reportIntervalJiffies(net, dev)) * MS, () => mld_dad_work(net, dev), false, 'process');
}

function mld_dad_work(net: Net, dev: NetDevice): void {
  const m = idevMc(net, dev);
  m.dadWork = undefined;
  net.call('mld_dad_work', () => {
    mld_send_initial_cr(net, dev);
    if (m.dadCount) {
      m.dadCount--;
      if (m.dadCount) mld_dad_start_work(net, dev);
    }
  });
}

/** ipv6_mc_up (ipv6_find_idev when the link becomes ready): mc_qrv reset, every group added again. */
export function ipv6_mc_up(net: Net, dev: NetDevice): void {
  const m = idevMc(net, dev);
  m.qrv = MLD_QRV;
  for (const g of m.list) {
    m.tomb = m.tomb.filter((t) => !ipv6AddrEqual(t.addr, g.addr));
    igmp6_group_added(net, dev, g);
  }
}

/**
 * mld_newpack + add_grhead + mld_sendpack: one MLDv2 report to ff02::16 with hop limit 1 and a
 * Router Alert hop-by-hop option, from the device's valid link-local address or from :: while it
 * has none (ipv6_get_lladdr with IFA_F_TENTATIVE banned). Ip6OutRequests, LOCAL_OUT, dst_output;
 * Icmp6OutMLDv2Reports and Icmp6OutMsgs once sent, Ip6OutDiscards otherwise. No records: nothing.
 */
function mld_sendpack(net: Net, dev: NetDevice, recs: { type: number; addr: Uint8Array }[], fn: string): void {
  if (!recs.length) return;
  // add_grec: a device below IPV6_MIN_MTU reports nothing (the model removes its inet6_dev then)
  const room = Math.floor((Math.min(dev.mtu, 2048) - IPV6_HLEN - RA_HOPOPTS.length - MLD2_REPORT_LEN) / MLD2_GREC_LEN);
  if (recs.length > room) throw new NotModelled(`an MLDv2 report of ${recs.length} group records on ${dev.name} does not fit one packet (${room} do): add_grec's next packet is not modelled`);
  const icmpLen = MLD2_REPORT_LEN + recs.length * MLD2_GREC_LEN;
  const m = mld_alloc(net, dev, MLD2_ALL_MCR, icmpLen, (b, t, saddr) => {
    recs.forEach((r, i) => {
      const g = t + MLD2_REPORT_LEN + i * MLD2_GREC_LEN;
      b[g] = r.type;
      b.set(r.addr, g + 4);
    });
    writeIcmp6(b, t, icmpLen, { type: ICMPV6_MLD2_REPORT, code: 0, rest: recs.length }, saddr, MLD2_ALL_MCR);
  });
  const what = (): string => recs.map((r) => `${r.type === MLD2_CHANGE_TO_EXCLUDE ? 'CHANGE_TO_EXCLUDE' : 'CHANGE_TO_INCLUDE'} ${formatIpv6(r.addr)}`).join(', ');
  mld_xmit(net, m.skb, ICMPV6_MLD2_REPORT, fn, () => `MLDv2 report on ${dev.name} to ff02::16 (all MLDv2 routers) from ${m.from}: ${what()}. Hop limit 1, a Router Alert option (Ip6OutRequests).`);
}

/**
 * igmp6_send: one MLDv1 message (RFC 2710) — a report (131) to the group itself, a done (132) to
 * ff02::2 — with hop limit 1 and the Router Alert option, from the device's valid link-local
 * address or from :: while it has none. Ip6OutRequests, LOCAL_OUT, dst_output; the ICMPv6 type
 * and Icmp6OutMsgs once sent, Ip6OutDiscards otherwise (as mld_sendpack).
 */
function igmp6_send(net: Net, dev: NetDevice, group: Uint8Array, type: number): void {
  const daddr = type === ICMPV6_MGM_REDUCTION ? ALL_ROUTERS : group;
  const icmpLen = 24;
  const m = mld_alloc(net, dev, daddr, icmpLen, (b, t, saddr) => {
    b.set(group, t + 8);
    writeIcmp6(b, t, icmpLen, { type, code: 0, rest: 0 }, saddr, daddr);
  });
  mld_xmit(net, m.skb, type, 'igmp6_send', () => `MLDv1 ${type === ICMPV6_MGM_REPORT ? `report for ${formatIpv6(group)}, to the group itself` : `done for ${formatIpv6(group)}, to ff02::2 (all routers)`} on ${dev.name} (force_mld_version 1), from ${m.from}. Hop limit 1, a Router Alert option (Ip6OutRequests).`);
}

/**
 * What mld_newpack and igmp6_send both build (ip6_mc_hdr): an sk_buff from the device's valid
 * link-local address, or from :: while it has none, to `daddr` with hop limit 1 and the Router
 * Alert hop-by-hop option, around an ICMPv6 message of `icmpLen` bytes that `fill` writes at `t`.
 */
function mld_alloc(net: Net, dev: NetDevice, daddr: Uint8Array, icmpLen: number, fill: (b: Uint8Array, t: number, saddr: Uint8Array) => void): { skb: SkBuff; from: string } {
  const ll = (net.ipv6.addrs.get(dev.ifindex) ?? []).find((a) => a.scope === 'link' && !isTentative(a));
  const saddr = ll?.addr ?? new Uint8Array(16);
  const len = RA_HOPOPTS.length + icmpLen;
  const pkt = net.w.rec.newPacket(net.name, null);
  const skb = allocSkb(dev.llReservedSpace() + IPV6_HLEN, len, pkt);
  const off = skb.put(len);
  const b = skb.w();
  b.set(RA_HOPOPTS, off);
  const t = off + RA_HOPOPTS.length;
  fill(b, t, saddr);
  skb.push(IPV6_HLEN);
  skb.resetNetworkHeader();
  skb.transport_header = t;
  writeIpv6(skb.w(), skb.data, { tclass: 0, flowLabel: 0, payloadLen: len, nexthdr: NEXTHDR_HOP, hopLimit: 1, saddr, daddr });
  skb.dev = dev;
  skb.protocol = ETH_P_IPV6;
  skb.dst = icmp6_dst_alloc(dev, daddr);
  return { skb, from: ll ? formatIpv6(saddr) : ':: (the link-local address is still tentative)' };
}

/** Both versions' send (mld_sendpack, igmp6_send): Ip6OutRequests, LOCAL_OUT and dst_output; the ICMPv6 type's counters once sent, Ip6OutDiscards otherwise. */
function mld_xmit(net: Net, skb: SkBuff, type: number, fn: string, what: () => string): void {
  net.count(SNMP_Ip6OutRequests);
  net.step(skb, 'L3', fn, FILE, net.full ? what() : '');
  let err = 0;
  const hrc = nf_hook6(net, 'NF_INET_LOCAL_OUT', skb, 'dst_output', () => {
    err = skb.dst!.output.fn(net, skb);
  });
  if (hrc !== 1) err = hrc;
  if (!err) icmp6_out_count(net, type);
  else net.count(SNMP_Ip6OutDiscards);
}
