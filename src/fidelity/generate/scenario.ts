// A generated scenario as data: hosts with their setup lines, links, listeners and traffic items,
// each an element the shrinker can drop. render() writes it as the YAML the parser reads.

export interface GenHost {
  name: string;
  lines: string[];
}

export interface GenLink {
  a: string;
  b: string;
  kind?: 'nic';
}

export interface GenListen {
  host: string;
  /** what follows `HOST:` in the listen entry: `udp 53`, `tcp 10.0.1.2:80` */
  spec: string;
}

/** `at`: a timed item (`at: +5ms`), started that long after the previous one without settling */
export type GenTraffic = { from: string; send: string; at?: string } | { into: string; send: string; at?: string } | { wait: string };

export interface GenScenario {
  name: string;
  hosts: GenHost[];
  links: GenLink[];
  listen: GenListen[];
  traffic: GenTraffic[];
}

/** The host an `into: HOST:IF` or `from: HOST` item runs on. */
export function trafficHost(t: GenTraffic): string | undefined {
  if ('from' in t) return t.from;
  if ('into' in t) return t.into.split(':')[0];
  return undefined;
}

const yamlString = (s: string): string => JSON.stringify(s);

/** The scenario as YAML, with `comments` (each line prefixed `# `) at the top. */
export function render(sc: GenScenario, comments: string[] = []): string {
  const out: string[] = comments.map((c) => `# ${c}`.trimEnd());
  out.push(`name: ${yamlString(sc.name)}`);
  out.push('hosts:');
  for (const h of sc.hosts) {
    if (!h.lines.length) {
      out.push(`  ${h.name}: ""`);
      continue;
    }
    out.push(`  ${h.name}: |`);
    for (const l of h.lines) out.push(`    ${l}`);
  }
  if (sc.links.length) {
    out.push('links:');
    for (const l of sc.links) out.push(`  - ${l.a} ${l.b}${l.kind ? ` ${l.kind}` : ''}`);
  }
  if (sc.listen.length) {
    out.push('listen:');
    for (const l of sc.listen) out.push(`  - ${l.host}: ${l.spec}`);
  }
  if (sc.traffic.length) {
    out.push('traffic:');
    for (const t of sc.traffic) {
      if ('wait' in t) out.push(`  - wait: ${t.wait}`);
      else if ('from' in t) out.push(`  - from: ${t.from}`, ...(t.at ? [`    at: ${t.at}`] : []), `    send: ${t.send}`);
      else out.push(`  - into: ${t.into}`, ...(t.at ? [`    at: ${t.at}`] : []), `    send: ${t.send}`);
    }
  }
  return `${out.join('\n')}\n`;
}
