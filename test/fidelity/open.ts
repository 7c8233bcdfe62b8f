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
};
