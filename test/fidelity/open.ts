// The known-open differences: scenarios in test/fidelity/found/ that the model gets wrong today,
// each with the class of its difference (src/fidelity/generate/classify.ts) and why. CI requires
// each of them to still differ with that class — so that a fix shows up as a failure asking to
// move the file out of this list — and every other file in found/ to agree. Each is listed in
// docs/fidelity.md under "Open differences".
export const OPEN: Record<string, { cls: string; why: string }> = {
};

/**
 * Generated scenarios of CI's fixed set (src/fidelity/generate/ci.ts) that differ today, each
 * with the class of its most telling difference when it was last measured (kernel 6.18, one CI
 * run). CI requires each to still differ — so a fix shows up as a failure asking to take it off
 * this list — and every other generated scenario to agree. docs/fidelity.md, "Open differences",
 * groups them by class; `npm run fidelity -- --generate 50 --seed S --only I` replays one and
 * shrinks it.
 */
export const OPEN_GENERATED: Record<string, string> = {
  'gen-1001-14.yaml': 'host h2, netfilter pass 2 (model packet 4) 10.0.2.1 > 10.0.2.2 (output → postrouting): chains, rules, verdicts: model ip filter OUTPUT return; … vs kernel ip filter OUTPUT rule 1 return; … (since the session 4 merges; not investigated)',
  'gen-1001-20.yaml': 'host h1, netfilter pass 1 (model packet 7) 10.0.3.2 > 10.0.1.1 (prerouting → input): chains, rules, verdicts: model … ip filter INPUT return; … vs kernel … ip filter INPUT rule 1 return; … (since the session 4 merges; not investigated)',
};
