// Shared by the TCP loss tests (tcp_loss_probe, tcp_rto): a client and a server on one link, and
// the TCP segments a host's driver sent, read from the wire bytes.
import { runScenarioText } from '../../../src/scenario/run';
import type { Trace } from '../../../src/trace/contract';

const lines = (l: string[]): string => l.map((x) => `    ${x}\n`).join('');

export function direct(traffic: string, client: string[] = [], server: string[] = []): Trace {
  const text =
    `name: t\nhosts:\n  client: |\n${lines([...client, 'ip addr add 10.0.1.1/24 dev eth0', 'ip link set eth0 up'])}` +
    `  server: |\n${lines([...server, 'ip addr add 10.0.1.2/24 dev eth0', 'ip link set eth0 up'])}links:\n  - client:eth0 server:eth0\n` +
    `listen:\n  - server: tcp 8080\ntraffic:\n  - from: client\n    send: ${traffic}\n`;
  return runScenarioText(text, 't.yaml');
}

export interface Seg {
  time: number;
  ipLen: number;
  seq: number;
  ack: number;
  flags: number;
  window: number;
  /** the option bytes, hex */
  opts: string;
  data: number;
}

/** the TCP segments `host`'s driver sent, in order */
export function segments(t: Trace, host: string): Seg[] {
  const out: Seg[] = [];
  for (const e of t.events) {
    if (e.fn !== 'dev_hard_start_xmit' || e.host !== host || !e.skb) continue;
    const hex = e.skb.bytes.slice(2 * e.skb.data);
    if (hex.slice(24, 28) !== '0800' || hex.slice(46, 48) !== '06') continue;
    const ipLen = parseInt(hex.slice(32, 36), 16);
    const tcp = 28 + parseInt(hex[29], 16) * 8;
    const doff = parseInt(hex[tcp + 24], 16) * 8;
    out.push({ time: e.time, ipLen, seq: parseInt(hex.slice(tcp + 8, tcp + 16), 16), ack: parseInt(hex.slice(tcp + 16, tcp + 24), 16), flags: parseInt(hex.slice(tcp + 26, tcp + 28), 16), window: parseInt(hex.slice(tcp + 28, tcp + 32), 16), opts: hex.slice(tcp + 40, tcp + doff), data: ipLen - 20 - doff / 2 });
  }
  return out;
}
