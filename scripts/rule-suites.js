#!/usr/bin/env node
// node scripts/rule-suites.js DIR: how much of the real tools' own rule-line suites the model
// reads (issue 15). DIR holds copies of nftables' tests/py/{ip,inet,any}/*.t and/or iptables'
// extensions/lib{xt,ipt}_*.t, fetched by the user: they are not part of this project (another
// licence). Each rule line runs as a one-rule ruleset (nft: a table of the file's family with the
// file's base chain; iptables: `-A CHAIN` in the file's table); the figures are the lines accepted
// of those the tool accepts (`;ok`) and of those it rejects (`;fail`). Bundles the parsers with
// esbuild into a temporary file, as scripts/fidelity.js does.
const esbuild = require('esbuild');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dirArg = process.argv[2];
if (!dirArg || !fs.existsSync(dirArg)) {
  console.error('usage: node scripts/rule-suites.js DIR [--verbose] [--listing]   (DIR holds the suites\' .t files)');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nsx-suites-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const entry = path.join(tmp, 'entry.ts');
const src = path.join(__dirname, '..', 'src');
fs.writeFileSync(entry, `export { World } from ${JSON.stringify(path.join(src, 'model/world'))};
export { runNft } from ${JSON.stringify(path.join(src, 'scenario/netfilter/nft'))};
export { NfEngine } from ${JSON.stringify(path.join(src, 'model/net/netfilter/engine'))};
export { listRule } from ${JSON.stringify(path.join(src, 'scenario/netfilter/nft_list'))};
export { fromFile } from ${JSON.stringify(path.join(src, 'scenario/netfilter/lex'))};
export { runIptables, splitFileLine } from ${JSON.stringify(path.join(src, 'scenario/netfilter/iptables'))};
export { saveRuleSpec } from ${JSON.stringify(path.join(src, 'scenario/netfilter/iptables_save'))};
`);
const out = path.join(tmp, 'suites.js');
esbuild.buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
const M = require(out);

const verbose = process.argv.includes('--verbose');
const tally = { nft: { ok: [0, 0], fail: [0, 0] }, iptables: { ok: [0, 0], fail: [0, 0] }, ip6tables: { ok: [0, 0], fail: [0, 0] } };
/** accepted iptables lines whose iptables-save form is the suite's listing column (`=`: the line itself) */
const iptListing = { same: 0, of: 0, explicit: [0, 0] };
/** accepted lines whose listing is the expected one: [listed as expected, accepted] */
const listing = { nft: [0, 0] };
const listMisses = [];
const refusedWhy = new Map();
const perFamily = {};

let lastListed = '';
/** the ruleset text of the last line tried, to load into the real nft (--nft) */
let lastText = '';
/** iptables suite lines whose result is iptables-legacy's only */
let legacyOnly = 0;

/**
 * nft-test.py's comparison of a listed rule with the expected one: equal, or, for a rule with an
 * anonymous set, the same text around the first { } and the same elements in any order.
 */
function sameListing(want, got) {
  // the model is listed stateless (nft -s): a line that writes its counter's values lists them
  want = want.replace(/\bcounter packets 0 bytes 0\b/g, 'counter');
  if (want.trimEnd() === got.trimEnd()) return true;
  const p1 = want.indexOf('{');
  const p2 = got.indexOf('{');
  if (p1 < 0 || p2 < 0 || want.slice(0, p1) !== got.slice(0, p2)) return false;
  const e1 = want.indexOf('}');
  const e2 = got.indexOf('}');
  if (e1 < 0 || e2 < 0) return false;
  const l1 = want.slice(p1 + 1, e1).replace(/ /g, '').split(',').sort();
  const l2 = got.slice(p2 + 1, e2).replace(/ /g, '').split(',').sort();
  return l1.join('\n') === l2.join('\n') && want.slice(e1).trimEnd() === got.slice(e2).trimEnd();
}

function tryNft(fam, chainSpec, rule, decls = []) {
  const [name, spec] = chainSpec;
  const text = `table ${fam} t {\n${decls.map((d) => ` ${d}\n`).join('')} chain ${name} {\n  ${spec};\n  ${rule}\n }\n}\n`;
  lastText = text;
  try {
    const net = new M.World().addHost('h');
    M.runNft(net, M.fromFile(text, 'r.nft'));
    const chain = M.NfEngine.of(net).tables[0].chains.get(name);
    lastListed = chain.rules.length ? M.listRule(chain.rules[chain.rules.length - 1], { numericProto: true, stateless: true }) : '';
    return null;
  } catch (e) {
    return e.detail ?? e.message;
  }
}

/** Runs the line; returns [null, the rule's iptables-save spec] when accepted, [why] when refused. */
function tryIptables(table, chain, rule, fam = 'ip') {
  const line = `${fam === 'ip6' ? 'ip6tables' : 'iptables'} -t ${table} -A ${chain} ${rule}`;
  try {
    const net = new M.World().addHost('h');
    M.runIptables(net, M.splitFileLine(line, 'x', 1), fam);
    const t = net.nf.tables.find((x) => x.family === fam && x.name === table);
    const r = t?.chains.get(chain)?.rules[0];
    return [null, r ? M.saveRuleSpec(r) : null];
  } catch (e) {
    return [e.detail ?? e.message];
  }
}

/**
 * The suites' declarations, as nft-test.py makes them before the rule lines that follow:
 * `!NAME type T [flags F] [timeout X];ok` a set, `%NAME type counter|quota …|limit …|ct helper {…};ok`
 * a named object. `?NAME ELEMS` (elements) lines are not rule lines and are skipped.
 */
function declOf(l) {
  const [body, res] = l.slice(1).split(';');
  if (res !== 'ok') return null;
  const m = /^(\S+)\s+type\s+(.*)$/.exec(body.trim());
  if (!m) return null;
  const [, name, rest] = m;
  if (l[0] === '!') {
    const mm = /^(.*?)(?:\s+flags\s+(\S+))?(?:\s+timeout\s+(\S+))?$/.exec(rest);
    return `set ${name} { type ${mm[1]};${mm[2] ? ` flags ${mm[2]};` : ''}${mm[3] ? ` timeout ${mm[3]};` : ''} }`;
  }
  const o = /^(counter|quota|limit|ct helper)\s*(.*)$/.exec(rest);
  if (!o) return null;
  const inner = o[2].startsWith('{') ? o[2].slice(1, o[2].lastIndexOf('}')) : o[2];
  return `${o[1]} ${name} { ${inner} }`;
}

function familyOf(file) {
  const b = path.basename(file);
  return b.startsWith('ip_') ? 'ip' : b.startsWith('ip6_') ? 'ip6' : b.startsWith('inet_') ? 'inet' : b.startsWith('any_') ? 'any' : 'other';
}

function nftFile(file, text) {
  const chains = new Map();
  let tables = [];
  const decls = [];
  const fam = familyOf(file);
  if (!perFamily[fam]) perFamily[fam] = { ok: [0, 0], fail: [0, 0] };
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (!l || l.startsWith('#') || l.startsWith('- ')) continue;
    if (l.startsWith('!') || l.startsWith('%')) {
      const d = declOf(l);
      if (d) decls.push(d);
      continue;
    }
    if (l.startsWith('?')) continue;
    if (l.startsWith(':')) {
      const [name, spec] = l.slice(1).split(';');
      chains.set(name, spec);
      continue;
    }
    if (l.startsWith('*')) {
      const [fam, , chainList] = l.slice(1).split(';');
      // ip6 tables only from a file of its own (ip6_*.t): the figures are of ip and inet tables
      if (fam === 'ip' || fam === 'inet' || (fam === 'ip6' && familyOf(file) === 'ip6')) tables.push({ fam, chains: chainList.split(',') });
      continue;
    }
    const parts = l.split(';');
    if (parts.length < 2 || (parts[1] !== 'ok' && parts[1] !== 'fail')) continue;
    const rule = parts[0].replace(/\\([&<>|])/g, '$1');
    for (const t of tables) {
      const cn = t.chains.find((c) => chains.has(c) && !/ingress|egress|device/.test(chains.get(c)));
      if (!cn) continue;
      // only the sets and objects the rule names, as nft-test.py adds each on its own
      const named = decls.filter((d) => {
        const n = d.split(' ')[d.startsWith('ct helper') ? 2 : 1];
        return rule.includes(`@${n}`) || rule.includes(`"${n}"`);
      });
      const why = tryNft(t.fam, [cn, chains.get(cn)], rule, named);
      const k = parts[1];
      tally.nft[k][1]++;
      perFamily[fam][k][1]++;
      if (why === null) {
        tally.nft[k][0]++;
        perFamily[fam][k][0]++;
        if (k === 'ok') {
          const want = parts.length > 2 ? parts.slice(2).join(';').replace(/\\([&<>|])/g, '$1') : rule;
          listing.nft[1]++;
          if (sameListing(want, lastListed)) listing.nft[0]++;
          else listMisses.push({ text: lastText, got: lastListed, line: `${path.basename(file)} [${t.fam}] ${rule}\n    want: ${want}\n    got:  ${lastListed}` });
        }
      }
      else if (k === 'ok') refusedWhy.set(why.replace(/"[^"]*"/g, '"…"').slice(0, 70), (refusedWhy.get(why.replace(/"[^"]*"/g, '"…"').slice(0, 70)) ?? 0) + 1);
      if (verbose) console.log(`${path.basename(file)} [${t.fam}] ${rule} ;${k} => ${why ?? 'accepted'}`);
    }
  }
}

/** an iptables suite file: lib{xt,ipt}_*.t run with iptables, libip6t_*.t with ip6tables */
function iptablesFile(file, text, fam = 'ip') {
  const tool = fam === 'ip6' ? 'ip6tables' : 'iptables';
  let chains = [];
  let table = 'filter';
  for (const raw of text.split('\n')) {
    const l = raw.trim();
    if (!l || l.startsWith('#')) continue;
    if (l.startsWith(':')) {
      chains = l.slice(1).split(',').map((c) => c.trim());
      continue;
    }
    if (l.startsWith('*')) {
      table = l.slice(1).trim();
      continue;
    }
    // RULE;EXPECTED-LISTING;OK|FAIL[;LEGACY|NFT;…]
    const parts = l.split(';');
    if (parts.length < 3 || (parts[2] !== 'OK' && parts[2] !== 'FAIL')) continue;
    // a result marked LEGACY is iptables-legacy's only; the model follows iptables-nft, which
    // differs on those lines (checked with 1.8.9: it accepts `-p tcp -j TCPMSS --set-mss 42`, as
    // nft_compat skips the SYN-match check, and refuses CLUSTERIP), so they are left out
    if (parts[3]?.trim() === 'LEGACY') {
      legacyOnly++;
      continue;
    }
    const k = parts[2] === 'OK' ? 'ok' : 'fail';
    const chain = chains[0] ?? 'INPUT';
    const [why, saved] = tryIptables(table, chain, parts[0], fam);
    tally[tool][k][1]++;
    let shown = '';
    if (why === null) {
      tally[tool][k][0]++;
      if (k === 'ok' && parts[1] !== '') {
        const want = parts[1] === '=' ? parts[0] : parts[1];
        const same = saved === want.trim();
        iptListing.of++;
        if (same) iptListing.same++;
        if (parts[1] !== '=') {
          iptListing.explicit[1]++;
          if (same) iptListing.explicit[0]++;
        }
        if (!same) shown = ` [prints ${saved}; iptables-save: ${want}]`;
      }
    }
    if (verbose) console.log(`${path.basename(file)} ${parts[0]} ;${k} => ${why ?? 'accepted'}${shown}`);
  }
}

for (const f of fs.readdirSync(dirArg).sort()) {
  const p = path.join(dirArg, f);
  if (!f.endsWith('.t')) continue;
  const text = fs.readFileSync(p, 'utf8');
  if (/^lib(xt|ipt)_/.test(f)) iptablesFile(p, text);
  else if (/^libip6t_/.test(f)) iptablesFile(p, text, 'ip6');
  else nftFile(p, text);
}
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(0)} %` : '-');
for (const tool of ['nft', 'iptables', 'ip6tables']) {
  const t = tally[tool];
  if (!t.ok[1] && !t.fail[1]) continue;
  console.log(`${tool}: accepted ${t.ok[0]} of ${t.ok[1]} lines the tool accepts (${pct(t.ok[0], t.ok[1])}); accepted ${t.fail[0]} of ${t.fail[1]} lines the tool rejects`);
}
if (iptListing.of) console.log(`iptables-save form: ${iptListing.same} of ${iptListing.of} accepted lines print as the suite lists them (${pct(iptListing.same, iptListing.of)}; of the ${iptListing.explicit[1]} with a listing of their own, ${iptListing.explicit[0]})`);
if (legacyOnly) console.log(`iptables: ${legacyOnly} lines left out whose result the suite marks as iptables-legacy's only (the model follows iptables-nft)`);
if (listing.nft[1]) console.log(`  nft listing: ${listing.nft[0]} of ${listing.nft[1]} accepted lines list as nft lists them (${pct(listing.nft[0], listing.nft[1])})`);
if (process.argv.includes('--nft')) {
  // each line whose listing differs from the suite's, loaded into the nft on this machine in a
  // throwaway user and network namespace and listed: the suites are of a newer nft, whose
  // listing differs from 1.0.6's (`{ 33-55 }`, `reject with icmp type X`)
  const { execFileSync } = require('child_process');
  const f = path.join(tmp, 'line.nft');
  let same = 0;
  let refused = 0;
  for (const m of listMisses) {
    fs.writeFileSync(f, m.text);
    let real;
    try {
      const listed = execFileSync('unshare', ['-rn', 'sh', '-c', `nft -f ${f} && nft -s -p list ruleset`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const lines = listed.split('\n').map((x) => x.trim());
      real = lines[lines.findIndex((x) => x.startsWith('type ')) + 1];
    } catch (e) {
      refused++;
      m.line += `\n    nft:  (refused) ${String(e.stderr).split('\n')[0]}`;
      continue;
    }
    if (sameListing(real, m.got)) same++;
    else m.line += `\n    nft:  ${real}`;
    m.same = sameListing(real, m.got);
  }
  console.log(`  of the ${listMisses.length} listed otherwise than the suites list them: ${same} are what \`nft list ruleset\` on this machine prints (${execFileSync('nft', ['--version'], { encoding: 'utf8' }).trim()}), ${refused} it refuses`);
}
if (process.argv.includes('--listing')) for (const m of listMisses) if (!m.same) console.log(m.line);
for (const [f, t] of Object.entries(perFamily)) console.log(`  nft ${f}/*.t: accepted ${t.ok[0]} of ${t.ok[1]} (${pct(t.ok[0], t.ok[1])}); accepted ${t.fail[0]} of ${t.fail[1]} rejected lines`);
if (verbose) for (const [why, n] of [...refusedWhy].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${n} × ${why}`);
