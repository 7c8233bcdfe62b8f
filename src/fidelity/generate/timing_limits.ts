// Draws whose outcome depends on the time between untimed traffic items, which the kernel run
// cannot keep. The model starts the next untimed item as soon as the network has settled (often
// in the same simulated instant); the kernel run first waits for quiet captures (the model's busy
// time, its timer slack and 300 ms at least, up to about 3 s more on a loaded machine). Rate
// limits refill with that time: an nft `limit` (and iptables' `-m limit`, which iptables-nft
// turns into one) gains one ns of credit per ns (nft_limit_eval), a `-m hashlimit` bucket
// CREDITS_PER_JIFFY per jiffy, and an idle hashlimit entry is removed after its expiry
// (htable_gc); `-m recent --seconds` counts only hits that young; nf_conncount (`ct count`,
// `-m connlimit`) collects closed connections from a list at most once a jiffy. So a packet the model finds
// over the rate can find the kernel's bucket refilled (gen-990042-49: `limit rate over 2/second
// burst 1`, an ICMP error to h4 two items after the first packet, dropped by the model at t=0
// and accepted by the kernel about a second later). The model is right for the times it runs;
// the kernel run cannot run at those times, so such a draw is drawn again (counted with the
// refused ones). ip_rt_send_redirect's backoff is such a limit too (net/ipv4/route.c v6.12): a
// router sends a sender's next redirect only ip_rt_redirect_load << n_redirects (40 ms, 80 ms, …)
// after the last, so two untimed items redirected close together in the model get one redirect
// where the kernel run, a few hundred ms apart, gets two. It is found by running the model again
// with waits between the untimed items: if a time-dependent rule then decides any packet
// differently, or a redirect is sent where it was held back (or the reverse), the draw depends on
// the gaps. ICMP's own rate limits are such limits too (net/ipv4/icmp.c, net/ipv6/icmp.c v6.12):
// icmp_global_allow refills the namespace's credit only after 20 ms (HZ/50) and by
// icmp_msgs_per_sec per second of the gap, capped at icmp_msgs_burst; inet_peer_xrlim_allow gives a
// destination one token per icmp_ratelimit ms (burst 6). So with `icmp_msgs_burst=0`, two errors in
// the model's same instant meet an empty bucket where the kernel run, a few hundred ms later, finds
// it refilled (gen-990074-39, gen-990075-43). A draw whose rate-limit counters (IcmpOutRateLimit…,
// Icmp6OutRateLimit…) change with the gaps is drawn again.
// The global bucket is random too: icmp_global_consume takes get_random_u32_below(3) credits from
// each message it lets out, so with a small icmp_msgs_burst whether the next error within 20 ms
// finds credit left is the kernel's dice (gen-990111-6: `icmp_msgs_burst=1`, two errors of two
// short untimed items a few ms apart in the kernel run, the second refused there in two runs of
// three, sent by the model's draw). The model's choices are seeded; the draw is run again with
// other seeds (runScenario's randomSalt), and one whose rate-limit decisions change is drawn again.
import { v6PinnedModel } from '../link_up';
import { parseScenario } from '../../scenario/parse';
import { runScenario } from '../../scenario/run';
import type { Trace } from '../../trace/contract';
import { render, type GenScenario } from './scenario';

/** the kernel run's extra time before an untimed item: its least, about a second, and a loaded machine's */
const GAPS = ['300ms', '1s', '4s'];

const TIMED_MATCH = /\blimit rate\b|-m limit\b|-m hashlimit\b|-m recent\b|\bct count\b|-m connlimit\b/;

const REDIRECT = /^\S+ redirect (sent|held back)$/;

const ICMP_LIMIT = /^Icmp6?OutRateLimit/;

/** a setup line that shrinks ICMP's global bucket, where icmp_global_consume's random draw can decide */
const ICMP_BUCKET = /\bnet\.ipv4\.icmp_msgs_(burst|per_sec)=/;

/** other seeds for the model's random choices: 0 is the run being checked */
const SALTS = [0, 1, 2, 3];

/**
 * Rules that read raw bytes (`-m string`, nft's `@nh,`/`@th,` payloads) can land on bytes the
 * kernel draws at random: a TCP sequence number (secure_tcp_seq's key), a timestamp (the
 * offset and the uptime behind tcp_clock_ms). The model's are seeded, and such a draw whose
 * rules decide otherwise under another seed is drawn again (gen-990144-11: `--hex-string
 * "|0a00|"` found in a SYN's timestamp option, length 10 then the value's first byte).
 */
const RAW_MATCH = /-m string\b|@(nh|th|ll),/;

/** How each rule that reads raw bytes decided, in order. */
function rawDecisions(t: Trace): string[] {
  const out: string[] = [];
  for (const e of t.events) {
    const rule = ruleDecision(e, RAW_MATCH);
    if (rule) out.push(rule);
  }
  return out;
}

/** Why the draw's raw-byte rules cannot be compared (they decide on bytes the kernel draws at random), or undefined. */
export function randomBytesLimit(sc: GenScenario, trace: Trace): string | undefined {
  if (!sc.hosts.some((h) => h.lines.some((l) => RAW_MATCH.test(l)))) return undefined;
  const want = rawDecisions(trace).join('\n');
  if (!want) return undefined;
  for (const salt of SALTS.slice(1)) {
    const t = run(sc, salt);
    if (t && rawDecisions(t).join('\n') !== want) return "harness limit: a rule that reads raw bytes (-m string, @nh/@th payloads) decides otherwise with other values of what the kernel draws at random (TCP sequence numbers, timestamps)";
  }
  return undefined;
}

/** The ICMP rate-limit counters each host ended with (only those above 0). */
function icmpLimits(t: Trace): string[] {
  const out: string[] = [];
  for (const [host, counters] of Object.entries(t.counters)) {
    for (const [name, n] of Object.entries(counters)) if (n > 0 && ICMP_LIMIT.test(name)) out.push(`${host} ${name} ${n}`);
  }
  return out.sort();
}

/** How each rule with a time-dependent match decided, and whether each redirect was sent, in order. */
function decisions(t: Trace): string[] {
  const out: string[] = icmpLimits(t);
  for (const e of t.events) {
    if (e.fn === 'ip_rt_send_redirect') out.push(`${e.host} redirect ${/with ICMP redirect\.$/.test(e.what) ? 'sent' : 'held back'}`);
    const rule = ruleDecision(e, TIMED_MATCH);
    if (rule) out.push(rule);
  }
  return out;
}

/** `host rule match|no match` for a rule step of nft_do_chain whose text `which` picks, else undefined. */
function ruleDecision(e: { fn: string; host: string; what: string }, which: RegExp): string | undefined {
  if (e.fn !== 'nft_do_chain') return undefined;
  const m = /^Rule \d+ of \S+, `([^`]*)`: ([^]*)$/.exec(e.what);
  if (!m || !which.test(m[1])) return undefined;
  return `${e.host} ${m[1]} ${m[2].startsWith('it matches') ? 'match' : 'no match'}`;
}

function run(sc: GenScenario, randomSalt = 0): Trace | undefined {
  try {
    const parsed = parseScenario(render(sc), 'generated.yaml');
    return runScenario(parsed, { randomSalt, pinnedSysctls: v6PinnedModel(parsed) });
  } catch {
    return undefined;
  }
}

/** Why the draw cannot be compared (its rate limits would see the kernel run's gaps or dice), or undefined. */
export function timingLimit(sc: GenScenario, trace: Trace): string | undefined {
  const lines = sc.hosts.flatMap((h) => h.lines);
  const dice = lines.some((l) => ICMP_BUCKET.test(l)) || icmpLimits(trace).length > 0;
  // gaps only refill ICMP's buckets: a run that limited nothing cannot limit more in the kernel run
  if (!dice && !lines.some((l) => TIMED_MATCH.test(l)) && !trace.events.some((e) => e.fn === 'ip_rt_send_redirect')) return undefined;
  const want = decisions(trace).join('\n');
  if (!want && !dice) return undefined;
  for (const gap of ['', ...GAPS]) {
    // a timed item (`at:`) keeps its distance to the one before it, in the kernel run too
    const traffic = gap ? sc.traffic.flatMap((t, i) => (i > 0 && !('wait' in t) && !t.at ? [{ wait: gap }, t] : [t])) : sc.traffic;
    for (const salt of dice ? SALTS : [0]) {
      if (!gap && !salt) continue;
      const t = run({ ...sc, traffic }, salt);
      const got = t && decisions(t);
      if (!got || got.join('\n') === want) continue;
      const wanted = want ? want.split('\n') : [];
      const n = Math.max(got.length, wanted.length);
      let i = 0;
      while (i < n && got[i] === wanted[i]) i++;
      const redirect = REDIRECT.test(got[i] ?? '') || REDIRECT.test(wanted[i] ?? '');
      const icmp = / Icmp6?OutRateLimit/.test(got[i] ?? '') || / Icmp6?OutRateLimit/.test(wanted[i] ?? '');
      const what = redirect ? "ip_rt_send_redirect's backoff sends a redirect differently" : icmp ? "ICMP's rate limits (icmp_global_allow, icmp_msgs_burst; the per-destination icmp_ratelimit) decide differently" : 'a rate limit (limit, hashlimit or recent) decides differently';
      if (!gap) return `harness limit: ${what} with another outcome of the kernel's random choices (icmp_global_consume takes 0, 1 or 2 credits a message)`;
      return `harness limit: ${what} with ${gap} more between the traffic items${salt ? " and another outcome of the kernel's random choices" : ''} (the kernel run waits for quiet between items, the model does not)`;
    }
  }
  return undefined;
}
