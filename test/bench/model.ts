// Benchmark (issue 2): packets per second through a 3-host forwarding scenario, once with the
// full trace recorded (every event with its sk_buff) and once with only fates and counters.
import { performance } from 'perf_hooks';
import { parseScenario } from '../../src/scenario/parse';
import { runScenario } from '../../src/scenario/run';
import type { RecordLevel } from '../../src/model/sim/recorder';

function scenarioText(datagrams: number): string {
  const traffic = Array.from({ length: datagrams }, (_, i) => `  - from: client\n    send: udp to 10.0.2.2:9000 from :${40000 + (i % 1000)} size 200\n`).join('');
  return `name: bench forwarding
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1
  router: |
    sysctl -w net.ipv4.ip_forward=1
    ip addr add 10.0.1.1/24 dev eth0
    ip addr add 10.0.2.1/24 dev eth1
    ip link set eth0 up
    ip link set eth1 up
  server: |
    ip addr add 10.0.2.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.1
links:
  - client:eth0 router:eth0
  - router:eth1 server:eth0
listen:
  - server: udp 9000
traffic:
${traffic}`;
}

function measure(level: RecordLevel, datagrams: number): { pps: number; events: number } {
  const sc = parseScenario(scenarioText(datagrams), 'bench.yaml');
  runScenario(sc, { level }); // warm-up
  const runs: number[] = [];
  let events = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const t = runScenario(sc, { level });
    runs.push(performance.now() - t0);
    events = t.events.length;
  }
  runs.sort((a, b) => a - b);
  const ms = runs[2];
  return { pps: Math.round((datagrams * 1000) / ms), events };
}

export function benchModel(): string {
  const n = 2000;
  const full = measure('full', n);
  const fates = measure('fates', n);
  return [
    `model: ${n} UDP datagrams forwarded client → router → server (median of 5 runs)`,
    `  full trace recorded:      ${full.pps.toLocaleString('en')} packets/s (${full.events.toLocaleString('en')} events)`,
    `  fates and counters only:  ${fates.pps.toLocaleString('en')} packets/s`,
  ].join('\n');
}
