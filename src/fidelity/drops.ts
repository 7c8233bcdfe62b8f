// Where the kernel drops packets, and why: the skb:kfree_skb tracepoint (location and drop
// reason) in a tracefs instance of the harness's own. The tracepoint does not say which network
// namespace a drop happened in, so drops are only recorded with `--drops`, which runs one
// scenario at a time and reads the drops of its traffic only. Drops the model does not record
// are left out on both sides: NOT_SPECIFIED (a plain kfree_skb) and QUEUE_PURGE (a socket's
// unread queue freed when the tool that owned it exits, after the run).
import * as fs from 'fs';
import * as path from 'path';
import { registerCleanup, run } from './lab';

const TRACEFS = '/sys/kernel/tracing';
export const SKIPPED_REASONS = new Set(['NOT_SPECIFIED', 'QUEUE_PURGE']);

export interface KernelDrop {
  fn: string;
  reason: string;
  protocol: number;
}

/** One line of the trace: `… kfree_skb: skbaddr=… rx_sk=… protocol=2048 location=ip_forward+0x2c0/0x730 reason: IP_INHDR`. */
export function parseKfreeSkb(line: string): KernelDrop | undefined {
  const m = /kfree_skb: .*protocol=(\d+) location=([A-Za-z0-9_.]+)(?:\+0x[0-9a-f]+\/0x[0-9a-f]+)?(?: \[[^\]]+\])? reason: (\w+)/.exec(line);
  return m ? { protocol: Number(m[1]), fn: m[2].replace(/\.(?:cold|isra|constprop|part)\.\d+$/, ''), reason: m[3] } : undefined;
}

export function parseDrops(text: string): KernelDrop[] {
  const out: KernelDrop[] = [];
  for (const l of text.split('\n')) {
    const d = parseKfreeSkb(l);
    // IPv4 and ARP only (the host's own IPv6 or other traffic is not the scenario's)
    if (d && (d.protocol === 0x0800 || d.protocol === 0x0806) && !SKIPPED_REASONS.has(d.reason)) out.push(d);
  }
  return out;
}

export class DropTracer {
  private constructor(
    private readonly dir: string,
    private readonly mounted: boolean,
  ) {}

  /** Mounts tracefs if it is not (and unmounts it at cleanup), makes an instance with kfree_skb on. */
  static start(): DropTracer {
    let mounted = false;
    if (!fs.existsSync(path.join(TRACEFS, 'instances'))) {
      run(['mount', '-t', 'tracefs', 'nodev', TRACEFS]);
      mounted = true;
    }
    const dir = path.join(TRACEFS, 'instances', `nsx-fidelity-${process.pid}`);
    fs.mkdirSync(dir);
    const t = new DropTracer(dir, mounted);
    registerCleanup(() => t.stop());
    fs.writeFileSync(path.join(dir, 'events/skb/kfree_skb/enable'), '1');
    return t;
  }

  clear(): void {
    fs.writeFileSync(path.join(this.dir, 'trace'), '');
  }

  read(): KernelDrop[] {
    return parseDrops(fs.readFileSync(path.join(this.dir, 'trace'), 'utf8'));
  }

  stop(): void {
    try {
      if (fs.existsSync(this.dir)) {
        fs.writeFileSync(path.join(this.dir, 'events/skb/kfree_skb/enable'), '0');
        fs.rmdirSync(this.dir);
      }
    } catch {
      /* already gone */
    }
    if (this.mounted) {
      try {
        run(['umount', TRACEFS]);
      } catch {
        /* busy or gone */
      }
    }
  }
}
