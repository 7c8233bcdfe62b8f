// Replays a capture item: its frames leave the link peer of HOST:IF the way a replay tool's raw
// AF_PACKET socket sends them (packet_snd, as `into:` items do) and arrive on HOST:IF. The file
// is read in chunks as the frames are sent, so a capture of any size streams.
import { CaptureError, CaptureReader, type CaptureFrame } from '../capture/reader';
import { packet_snd, packetSndRefusal } from '../model/net/packet/af_packet';
import type { World } from '../model/world';
import { PcapItem, ScenarioError } from './types';

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

/**
 * A re-execution's window over a capture's frames (0-based, both ends included): the events are
 * recorded in full from frame `from` on (the frames before go at the fates level), and the capture
 * is read no further than frame `until`, once the network has settled after it.
 */
export interface FrameWindow {
  from?: number;
  until?: number;
  /** told, before each frame is sent, its 0-based number (the full run's marks, to compare a window with) */
  onFrame?(frame: number): void;
}

/** Sends the capture's frames; true when it stopped at `window.until` before the capture's end. */
export function runPcap(world: World, item: PcapItem, index: number, open: CaptureOpener | undefined, onSent?: (s: CaptureSent) => void, window: FrameWindow = {}): boolean {
  const where = item.file.pos;
  if (!open) throw new ScenarioError(`cannot read ${item.file.text}: this run was given no capture reader`, where);
  const net = world.hosts.get(item.host.text)!;
  const target = net.devices.get(item.ifname.text)!;
  const peer = target.peer!;
  const start = world.sched.now;
  let first: bigint | undefined;
  let k = 0;
  let stopped = false;
  const send = (f: CaptureFrame): void => {
    if (stopped) return;
    const frame = k++;
    if (frame === window.from) world.rec.setLevel('full');
    window.onFrame?.(frame);
    sendOne(f);
    if (frame === window.until) {
      world.settle();
      stopped = true;
    }
  };
  const sendOne = (f: CaptureFrame): void => {
    if (item.timing === 'asis') {
      first ??= f.tsNs;
      // the captured spacing; a frame stamped earlier than the one before goes at once
      const due = start + Number(f.tsNs - first);
      if (due > world.sched.now) world.sched.runUntil(due);
    } else {
      world.settle();
    }
    const r = packetSndRefusal(peer, f.data);
    if (r) {
      onSent?.({ item: index, frame: f, refused: `packet_snd: ${r.errno}: ${r.why}` });
      return;
    }
    // not copied: packet_snd copies the frame into its sk_buff and keeps no reference to it
    const packet = packet_snd(peer.net, peer, f.data, target);
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
      if (stopped) return true;
    }
    reader.end();
    return false;
  } catch (e) {
    if (e instanceof CaptureError) throw new ScenarioError(`${item.file.text}: ${e.message}`, where);
    throw e;
  } finally {
    chunks?.return?.();
  }
}
