// The schedule of one ping process's echo requests, as iputils ping (20221126, the version the
// fidelity harness runs with `-c N -i 1 -W 10`) keeps it in pinger() (ping_common.c). This is the
// tool's behaviour, not the kernel's, so it lives with the scenario runner: the model's
// ping_send / ping6_send are its sendmsg() calls.
//
// What matters for the stack: a sendmsg that fails with ENOBUFS (a device or qdisc refused the
// datagram; ping sets IP_RECVERR, so raw_sendmsg passes the error on) is not counted as sent:
// ping sends the same sequence number again. Its token bucket holds the retry until a whole
// interval since the last attempt (the 500 ms it asks for is spent polling), and a process-wide
// count of failures (oom_count, reset only by a send that succeeds) gives up once
// failures × min(interval/2, 500 ms) reaches the linger time (-W 10: 10 s): after 20 tries in a
// row ping pretends the packet was sent and goes on with the next sequence. Every other error
// is a "hard local error" at once: pretended sent, the next one an interval later.
import type { World } from '../model/world';
import { PING_ENOBUFS } from '../model/net/ipv4/raw';
/** `-i 1` */
const INTERVAL_MS = 1000;
/** `-W 10`: rts->lingertime */
const LINGER_MS = 10_000;
/** nores_interval: SCHINT(interval / 2), at most 500 ms */
const NORES_MS = Math.min(INTERVAL_MS / 2, 500);

/** Sends `count` echo requests through `send(seq)` (a packet id, or an error's words) on ping's schedule. */
export function pinger(world: World, count: number, send: (seq: number) => number | string): void {
  let transmitted = 0;
  let oomCount = 0;
  const attempt = (): void => {
    const r = send(transmitted + 1);
    if (r === PING_ENOBUFS) {
      oomCount++;
      // a retry of the same sequence, unless the failures in a row reached the linger time
      if (oomCount * NORES_MS < LINGER_MS) {
        world.sched.after(INTERVAL_MS * 1e6, attempt, false, 'process');
        return;
      }
    } else if (typeof r === 'number') {
      oomCount = 0;
    }
    transmitted++;
    if (transmitted < count) world.sched.after(INTERVAL_MS * 1e6, attempt, false, 'process');
  };
  // the first send is a task of its own, as each later one is
  world.sched.after(0, attempt, false, 'process');
}
