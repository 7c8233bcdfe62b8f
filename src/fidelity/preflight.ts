// What the harness needs before it touches anything: root, and the tools it runs.
import * as fs from 'fs';
import * as path from 'path';
import { BTF } from './drops';

/** tool → the Debian package that provides it (what CI must install) */
export const TOOLS: Record<string, string> = {
  ip: 'iproute2',
  nstat: 'iproute2',
  nft: 'nftables',
  iptables: 'iptables',
  ping: 'iputils-ping',
  tcpdump: 'tcpdump',
  python3: 'python3',
};

/** What comparing drops needs on top (bpftrace on the skb:kfree_skb tracepoint, with the kernel's BTF). */
export const DROP_TOOLS: Record<string, string> = { bpftrace: 'bpftrace' };

export function findTool(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  const dirs = envPath.split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** Why the harness cannot run here, or undefined when it can. Looks only; changes nothing. */
export function preflight(opts: { drops?: boolean } = {}): string | undefined {
  if (process.platform !== 'linux') return `needs Linux (network namespaces); this is ${process.platform}`;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'needs root (it makes network namespaces and veth pairs); run it as root, e.g. sudo npm run fidelity';
  const tools: Record<string, string> = opts.drops === false ? TOOLS : { ...TOOLS, ...DROP_TOOLS };
  const missing = Object.keys(tools).filter((t) => !findTool(t));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((t) => tools[t]))];
    const why = missing.some((t) => t in DROP_TOOLS) ? '; bpftrace traces where the kernel drops packets (--no-drops runs without comparing drops)' : '';
    return `missing tool${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (Debian: apt-get install -y ${pkgs.join(' ')})${why}`;
  }
  if (!fs.existsSync('/proc/self/ns/net')) return 'this kernel has no network namespaces';
  if (opts.drops !== false && !fs.existsSync(BTF)) return `comparing drops needs the kernel's BTF (${BTF}, CONFIG_DEBUG_INFO_BTF): bpftrace reads struct sk_buff from it (or run with --no-drops)`;
  return undefined;
}
