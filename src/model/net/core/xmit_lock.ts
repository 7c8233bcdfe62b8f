// The spinlock of a namespace's kernel socket that ICMP (icmp_xmit_lock) and ICMPv6
// (icmpv6_xmit_lock) take with a trylock while a message they make goes out: a second message
// asked for from inside that output path (an OUTPUT rule rejecting the one being sent) finds it
// taken and is not sent. Each protocol has its own socket, so its own lock.
import type { Net } from '../net_namespace';

export class XmitLock {
  private readonly held = new WeakSet<Net>();

  /** the trylock would fail: this namespace's socket is sending */
  busy(net: Net): boolean {
    return this.held.has(net);
  }

  /** runs `send` with the lock held */
  locked<T>(net: Net, send: () => T): T {
    this.held.add(net);
    try {
      return send();
    } finally {
      this.held.delete(net);
    }
  }
}
