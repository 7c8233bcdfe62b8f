// Speed of the packet debugger webview: how long a step takes to render on a 10,000-event trace
// in headless Chromium (script + style + layout, measured in the page around a synchronously
// delivered state message), against the 16.7 ms of a 60 Hz frame. Wired into `npm run bench`.
import type { Browser } from 'playwright-core';
import { buildBundles, chromiumMissing, launch, openPage, serve } from '../ui/page';
import { bigTrace } from '../fixtures/synthetic-trace';

interface Stats {
  n: number;
  median: number;
  p95: number;
  max: number;
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (f: number): number => s[Math.min(s.length - 1, Math.floor(f * s.length))];
  return { n: s.length, median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

const fmt = (s: Stats): string => `median ${s.median.toFixed(2)} ms, p95 ${s.p95.toFixed(2)} ms, max ${s.max.toFixed(2)} ms (${s.n} steps)`;

export async function benchWebview(): Promise<string> {
  const why = chromiumMissing();
  if (why) return `webview step render: skipped (${why})`;
  await buildBundles();
  const served = await serve();
  let browser: Browser | undefined;
  try {
    browser = await launch();
    const page = await openPage(browser, served.url, 'dark');
    const trace = bigTrace(10_000);
    const t0 = Date.now();
    await page.evaluate(`window.harness.load(${JSON.stringify(trace)})`);
    await page.waitForFunction(new Function(`return document.getElementById('pos')?.textContent === '1 / ${trace.events.length}'`) as () => boolean);
    const loadMs = Date.now() - t0;
    // warm up (JIT, decode caches of the first events)
    await page.evaluate(`for (let i = 0; i < 50; i++) window.harness.timedStep('stepInto')`);
    const forward = (await page.evaluate(`Array.from({ length: 400 }, () => window.harness.timedStep('stepInto'))`)) as number[];
    const back = (await page.evaluate(`Array.from({ length: 200 }, () => window.harness.timedStep('stepBack'))`)) as number[];
    // scrubbing: jumps to random places (new packets, new hosts, new byte layouts)
    const jumps = (await page.evaluate(`(() => { let x = 12345; const r = []; for (let i = 0; i < 200; i++) { x = (x * 1103515245 + 12345) % 2147483648; r.push(window.harness.timedStep(x % ${trace.events.length})); } return r; })()`)) as number[];
    const all = stats([...forward, ...back, ...jumps]);
    const verdict = all.p95 < 16.7 ? 'within one 60 Hz frame' : 'OVER one 60 Hz frame (16.7 ms)';
    return [
      `webview step render, 10,000-event trace (${trace.packets.length} packets), headless Chromium, script+style+layout:`,
      `  step      ${fmt(stats(forward))}`,
      `  step back ${fmt(stats(back))}`,
      `  jump      ${fmt(stats(jumps))}`,
      `  all       ${fmt(all)} → p95 ${verdict}`,
      `  trace load (message + validation + first render): ${loadMs} ms`,
    ].join('\n');
  } finally {
    await browser?.close();
    await served.close();
  }
}
