// The known-open differences: scenarios in test/fidelity/found/ that the model gets wrong today,
// each with the class of its difference (src/fidelity/generate/classify.ts) and why. CI requires
// each of them to still differ with that class — so that a fix shows up as a failure asking to
// move the file out of this list — and every other file in found/ to agree. Each is listed in
// docs/fidelity.md under "Open differences".
export const OPEN: Record<string, { cls: string; why: string }> = {};
