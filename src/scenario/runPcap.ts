// Replays a capture item: its frames leave the link peer of HOST:IF the way a replay tool's raw
// AF_PACKET socket sends them (packet_snd, as `into:` items do) and arrive on HOST:IF. The file
// is read in chunks as the frames are sent, so a capture of any size streams.
import { CaptureError, CaptureReader, type CaptureFrame } from '../capture/reader';
import { packet_snd } from '../model/net/packet/af_packet';
import type { World } from '../model/world';
import { ETH_HLEN } from '../model/proto/ethernet';
import { PcapItem, ScenarioError } from './types';

/** VLAN_HLEN: packet_snd lets a frame exceed the MTU by one 802.1Q tag when it carries one. */
const VLAN_HLEN = 4;
const ETH_P_8021Q = 0x8100;

/** What became of one frame of a capture. */
export interface CaptureSent {
  /** index of the traffic item */
  item: number;
  frame: CaptureFrame;
  /** the model's packet id, or undefined when packet_snd refused the frame */
  packet?: number;
  /** why packet_snd refused it (the errno a replay tool would get) */
  refused?: string;
}

/** Reads the capture traffic item `item` names (`file`, relative to the scenario): its bytes in chunks, or throws. */
export type CaptureOpener = (file: string, item: number) => Iterable<Uint8Array>;

export function runPcap(world: World, item: PcapItem, index: number, open: CaptureOpener | undefined, onSent?: (s: CaptureSent) => void): void {
  const where = item.file.pos;
  if (!open) throw new ScenarioError(`cannot read ${item.file.text}: this run was given no capture reader`, where);
  const net = world.hosts.get(item.host.text)!;
  const target = net.devices.get(item.ifname.text)!;
  const peer = target.peer!;
  const start = world.sched.now;
  let first: bigint | undefined;
  const send = (f: CaptureFrame): void => {
    if (item.timing === 'asis') {
      first ??= f.tsNs;
      // the captured spacing; a frame stamped earlier than the one before goes at once
      const due = start + Number(f.tsNs - first);
      if (due > world.sched.now) world.sched.runUntil(due);
    } else {
      world.settle();
    }
    const refused = refusal(f.data, peer.mtu);
    if (refused) {
      onSent?.({ item: index, frame: f, refused });
      return;
    }
    // copied: the frame's bytes are a view into the reader's chunk
    const packet = packet_snd(peer.net, peer, f.data.slice(), target);
    onSent?.({ item: index, frame: f, packet });
  };
  const reader = new CaptureReader();
  let chunks: Iterator<Uint8Array> | undefined;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        chunks ??= open(item.file.text, index)[Symbol.iterator]();
        next = chunks.next();
      } catch (e) {
        throw new ScenarioError(`cannot read ${item.file.text}: ${(e as Error).message}`, where);
      }
      if (next.done) break;
      reader.push(next.value, send);
    }
    reader.end();
  } catch (e) {
    if (e instanceof CaptureError) throw new ScenarioError(`${item.file.text}: ${e.message}`, where);
    throw e;
  } finally {
    chunks?.return?.();
  }
}

/**
 * packet_snd's own checks on a SOCK_RAW frame (net/packet/af_packet.c, v6.12): shorter than the
 * device's hard header is EINVAL (dev_validate_header), longer than MTU + header (+ one VLAN tag
 * when the frame has one) is EMSGSIZE. Such frames never reach the wire.
 */
function refusal(b: Uint8Array, mtu: number): string | undefined {
  if (b.length < ETH_HLEN) return `packet_snd: EINVAL: ${b.length} bytes is shorter than an Ethernet header`;
  const tagged = ((b[12] << 8) | b[13]) === ETH_P_8021Q;
  if (b.length > mtu + ETH_HLEN + (tagged ? VLAN_HLEN : 0)) return `packet_snd: EMSGSIZE: a ${b.length}-byte frame is longer than the sender's MTU ${mtu} allows`;
  return undefined;
}
