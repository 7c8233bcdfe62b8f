// UI tests of the packet debugger webview in headless Chromium: the real webview bundle on a page
// with the panel's CSP, its "host" the real controller core. Load a trace, step, step back, set
// breakpoints and continue, focus a packet, hover bytes, open source; screenshots in a dark, a
// light and a high-contrast theme go to .vscode-test/screenshots/.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import type { Trace } from '../../src/trace/contract';
import { ttlTrace } from '../fixtures/synthetic-trace';
import { buildBundles, chromiumMissing, launch, openPage, screenshot, serve, type Served } from './page';
import { skipOrFail } from '../skip';

const text = async (page: Page, sel: string): Promise<string> => (await page.locator(sel).first().textContent()) ?? '';
const posted = (page: Page): Promise<{ type: string; action?: string; fn?: string }[]> => page.evaluate('window.harness.posted') as Promise<{ type: string; action?: string; fn?: string }[]>;

/**
 * Wait until a JS expression holds in the page. Passed as a function (evaluated over the DevTools
 * protocol): a string predicate would be eval'd inside the page, which the page's CSP forbids.
 */
function until(page: Page, expr: string, timeout = 5000): Promise<unknown> {
  return page.waitForFunction(new Function(`return (${expr});`) as () => boolean, undefined, { timeout });
}

async function load(page: Page, trace: Trace): Promise<void> {
  await page.evaluate(`window.harness.load(${JSON.stringify(trace)})`);
  await until(page, `document.getElementById('pos')?.textContent === '1 / ${trace.events.length}'`);
}

async function stepWith(page: Page, id: string): Promise<void> {
  const before = await text(page, '#pos');
  await page.locator(`#${id}`).click();
  await until(page, `document.getElementById('pos').textContent !== ${JSON.stringify(before)}`, 3000).catch(() => undefined);
}

/**
 * A real trace from the model (src/scenario/run.ts, compiled next to this file): the first
 * example about TTL, else any example, else test/fixtures/forward-ttl.yaml (the sketch in README.md).
 */
function realTrace(): { trace: Trace; file: string } | undefined {
  const run = path.resolve(__dirname, '../../src/scenario/run.js');
  if (!fs.existsSync(run)) return undefined;
  const root = path.resolve(__dirname, '../../..');
  const examples = path.join(root, 'examples');
  const yamls = fs.existsSync(examples) ? fs.readdirSync(examples).filter((f) => /\.ya?ml$/.test(f)).sort((a, b) => Number(b.includes('ttl')) - Number(a.includes('ttl')) || a.localeCompare(b)) : [];
  const file = yamls.length ? path.join(examples, yamls[0]) : path.join(root, 'test', 'fixtures', 'forward-ttl.yaml');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(run) as { runScenarioText?: (text: string, file: string) => Trace };
  const trace = mod.runScenarioText?.(fs.readFileSync(file, 'utf8'), file);
  return trace ? { trace, file } : undefined;
}

describe('packet debugger webview (headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let served: Served | undefined;
  let page: Page;
  const trace = ttlTrace();

  before(async function () {
    const why = chromiumMissing();
    if (why) skipOrFail(this, why);
    await buildBundles();
    served = await serve();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await served?.close();
  });

  beforeEach(async () => {
    page = await openPage(browser as Browser, (served as Served).url, 'dark');
    await load(page, trace);
  });

  afterEach(async () => {
    const csp = (await page.evaluate('window.harness.cspViolations')) as string[];
    await page.close();
    assert.deepStrictEqual(csp, [], 'no Content-Security-Policy violations');
  });

  it('shows the first event: function, what, call path, sk_buff, bytes, packets', async () => {
    assert.match(await text(page, '.fn-line'), /^ping_v4_sendmsg\(\)\s+net\/ipv4\/ping\.c/);
    assert.match(await text(page, '.what'), /echo request/);
    assert.strictEqual(await page.locator('ol.stack li').count(), 3);
    assert.strictEqual(await page.locator('ul.packets li').count(), trace.packets.length + 1);
    assert.match(await text(page, '.hex-grid'), /0000/);
    assert.strictEqual(await page.locator('.picture .host').count(), 2, 'client and router, inferred from the trace (server sees nothing)');
  });

  it('steps forward and back with the toolbar, and the timeline follows', async () => {
    await stepWith(page, 'btn-stepInto');
    assert.strictEqual(await text(page, '#pos'), `2 / ${trace.events.length}`);
    assert.match(await text(page, '.fn-line'), /ip_route_output_flow/);
    await stepWith(page, 'btn-stepInto');
    assert.match(await text(page, '.fn-line'), /__ip_make_skb/);
    // the IP header push moved data back 20 bytes: those rows are marked changed
    const changed = await page.locator('.skb-fields tr.changed th').allTextContents();
    assert.ok(changed.includes('len') && changed.includes('data − head') && changed.includes('network_header'), changed.join(','));
    await stepWith(page, 'btn-stepBack');
    assert.strictEqual(await text(page, '#pos'), `2 / ${trace.events.length}`);
    assert.strictEqual(await page.locator('.timeline').getAttribute('aria-valuenow'), '1');
    const steps = (await posted(page)).filter((m) => m.type === 'debugger/step').map((m) => m.action);
    assert.deepStrictEqual(steps, ['stepInto', 'stepInto', 'stepBack']);
    // keyboard on the timeline slider
    await page.locator('.timeline').focus();
    await page.keyboard.press('ArrowRight');
    await until(page, `document.getElementById('pos').textContent.startsWith('3 /')`);
    await page.keyboard.press('End');
    await until(page, `document.getElementById('pos').textContent === '${trace.events.length} / ${trace.events.length}'`);
    await screenshot(page, 'debugger-dark-end');
  });

  it('sets a conditional breakpoint, continues to it, shows where the packet turns', async () => {
    await page.locator('#bp-input').click();
    await page.keyboard.type('ttl < 2 && fn == ip_forward');
    await page.keyboard.press('Enter');
    await page.waitForSelector('ul.bps li.bp');
    assert.match(await text(page, 'ul.bps li.bp'), /ttl < 2 && fn == ip_forward\s*1/);
    await stepWith(page, 'btn-continue');
    assert.match(await text(page, '.fn-line'), /^ip_forward\(\)/);
    assert.match(await text(page, '#status'), /Stopped at breakpoint "ttl < 2 && fn == ip_forward" — router: ip_forward/);
    assert.strictEqual(await page.locator('.picture .host.active .host-name').textContent(), 'router');
    // hover the TTL byte: the field is named, like Wireshark
    const ttlAt = (trace.events.find((e) => e.fn === 'ip_forward')?.skb?.network_header as number) + 8;
    await page.locator(`.hex-grid .b[data-i="${ttlAt}"]`).hover();
    assert.match(await text(page, '.hex-info'), /IPv4 › Time to live: 1/);
    assert.ok(await page.locator('.hex-tree .f.hl').count(), 'the field row lights up');
    await screenshot(page, 'debugger-dark-breakpoint');
    // a second breakpoint on the drop; continue lands on it, reverse continue goes back
    await page.locator('#bp-input').click();
    await page.keyboard.type('drop');
    await page.keyboard.press('Enter');
    await until(page, `document.querySelectorAll('ul.bps li.bp').length === 2`);
    await stepWith(page, 'btn-continue');
    assert.match(await text(page, '.drop-line'), /SKB_DROP_REASON_IP_INHDR/);
    assert.match(await text(page, '.turn'), /dropped: IP_INHDR/);
    await screenshot(page, 'debugger-dark-drop');
    await stepWith(page, 'btn-reverseContinue');
    assert.match(await text(page, '.fn-line'), /^ip_forward\(\)/);
  });

  it('rejects a breakpoint it cannot read and says why', async () => {
    await page.locator('#bp-input').click();
    await page.keyboard.type('colour == red');
    await page.keyboard.press('Enter');
    await until(page, `document.querySelector('.bp-error')?.textContent.includes('unknown field')`);
    assert.match(await text(page, 'ul.bps li.bp .bp-why'), /unknown field "colour"/);
    assert.strictEqual(await page.locator('#bp-input').getAttribute('invalid'), '');
    await screenshot(page, 'debugger-dark-bp-error');
    // removing the bad breakpoint takes its error away with it (issue 11)
    await page.locator('ul.bps li.bp [title="Remove breakpoint colour == red"]').click();
    await until(page, `document.querySelectorAll('ul.bps li.bp').length === 0`);
    await until(page, `document.querySelector('.bp-error')?.textContent === ''`);
    assert.strictEqual(await page.locator('#bp-input').getAttribute('invalid'), null);
  });

  it('an empty Add says why nothing was added, and sends nothing', async () => {
    const before = (await posted(page)).length;
    await page.locator('#bp-add').click();
    await until(page, `document.querySelector('.bp-error')?.textContent.startsWith('Nothing added: type a condition first')`);
    assert.ok(await page.locator('.bp-error.hint').count(), 'said as a hint, not as an error');
    assert.deepStrictEqual((await posted(page)).slice(before).filter((m) => m.type === 'debugger/setBreakpoints'), []);
    await screenshot(page, 'debugger-dark-bp-empty-add');
    // then a good one clears the hint
    await page.locator('#bp-input').click();
    await page.keyboard.type('drop');
    await page.keyboard.press('Enter');
    await page.waitForSelector('ul.bps li.bp');
    await until(page, `document.querySelector('.bp-error')?.textContent === ''`);
  });

  it('says a condition over the length limit is too long, without sending it', async () => {
    const before = (await posted(page)).length;
    await page.locator('#bp-input').click();
    await page.evaluate(`(() => { const f = document.getElementById('bp-input'); f.value = 'fn == ' + 'x'.repeat(600); })()`);
    await page.locator('#bp-add').click();
    await until(page, `document.querySelector('.bp-error')?.textContent.includes('at most 500 characters (this one has 606)')`);
    assert.deepStrictEqual((await posted(page)).slice(before).filter((m) => m.type === 'debugger/setBreakpoints'), []);
  });

  it('focuses a packet from the list: stepping stays on it', async () => {
    const icmpErr = trace.packets.find((p) => p.summary.includes('time exceeded'));
    assert.ok(icmpErr);
    await page.locator(`ul.packets li[data-p="${icmpErr.id}"]`).click();
    await until(page, `document.querySelector('ul.packets li[aria-selected="true"]')?.dataset.p === '${icmpErr.id}'`);
    assert.match(await text(page, '.where'), new RegExp(`packet #${icmpErr.id}`));
    for (let i = 0; i < 5; i++) await stepWith(page, 'btn-stepInto');
    assert.match(await text(page, '.where'), new RegExp(`packet #${icmpErr.id}`));
    await stepWith(page, 'btn-runToEnd');
    assert.match(await text(page, '.fn-line'), /^ping_err\(\)/);
    assert.match(await text(page, '.turn'), /delivered/);
    await screenshot(page, 'debugger-dark-focus');
    // keyboard: the listbox moves with arrows and picks with Enter
    await page.locator(`ul.packets li[data-p="all"]`).focus();
    await page.keyboard.press('Enter');
    await until(page, `document.querySelector('ul.packets li[aria-selected="true"]')?.dataset.p === 'all'`);
  });

  it('asks the host to open the kernel source of a function in the call path', async () => {
    await page.locator('ol.stack a[data-fn="inet_sendmsg"]').click();
    await until(page, `window.harness.opened.includes('inet_sendmsg')`);
    const msg = (await posted(page)).find((m) => m.type === 'debugger/openSource');
    assert.strictEqual(msg?.fn, 'inet_sendmsg');
  });

  it('rejects an invalid message from the host whole, and tells the host', async () => {
    await page.evaluate(`window.harness.raw({ type: 'debugger/state', state: { index: 'x' } })`);
    await until(page, `window.harness.posted.some((m) => m.type === 'debugger/log' && m.message.includes('state.index'))`);
    assert.strictEqual(await text(page, '#pos'), `1 / ${trace.events.length}`, 'nothing applied');
  });

  it('keeps its view state for a reload', async () => {
    await stepWith(page, 'btn-stepInto');
    const vs = (await page.evaluate('window.harness.viewState')) as { index: number; focus: number | null };
    assert.strictEqual(vs.index, 1);
    assert.strictEqual(vs.focus, null);
  });

  it('is usable from the keyboard: toolbar arrows, Enter on a button', async () => {
    await page.locator('#btn-reverseContinue').focus();
    await page.keyboard.press('Tab');
    // Tab went into the first button's inner <button>; arrows walk the toolbar
    await page.locator('#btn-stepBack').evaluate((el: { shadowRoot: { querySelector(s: string): { focus(): void } } }) => el.shadowRoot.querySelector('button').focus());
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter');
    await until(page, `document.getElementById('pos').textContent.startsWith('2 /')`);
    const steps = (await posted(page)).filter((m) => m.type === 'debugger/step').map((m) => m.action);
    assert.deepStrictEqual(steps, ['stepInto']);
  });

  it('fits a narrow editor column (one panel per row)', async () => {
    const p = await openPage(browser as Browser, (served as Served).url, 'dark', { width: 760, height: 1000 });
    await load(p, trace);
    for (let i = 0; i < 30; i++) await p.locator('#btn-stepInto').click();
    await until(p, `document.getElementById('pos').textContent.startsWith('31 /')`);
    await screenshot(p, 'debugger-dark-narrow');
    const overflow = await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    const widest = await p.evaluate(`[...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map((e) => e.tagName + '.' + e.className).join(', ')`);
    assert.ok((overflow as number) <= 0, `no horizontal scrolling (${overflow}px: ${widest})`);
    await p.close();
  });

  for (const theme of ['light', 'high-contrast'] as const) {
    it(`renders in the ${theme} theme`, async () => {
      const p = await openPage(browser as Browser, (served as Served).url, theme);
      await load(p, trace);
      await p.locator('#bp-input').click();
      await p.keyboard.type('hook == FORWARD || drop');
      await p.keyboard.press('Enter');
      await p.waitForSelector('ul.bps li.bp');
      await p.locator('#btn-continue').click();
      await until(p, `document.querySelector('.drop-line') && !document.querySelector('.drop-line').hidden`);
      const ttlAt = (trace.events.find((e) => e.fn === 'ip_forward')?.skb?.network_header as number) + 8;
      await p.locator(`.hex-grid .b[data-i="${ttlAt}"]`).hover();
      await screenshot(p, `debugger-${theme}-drop`);
      await p.close();
    });
  }

  it('shows a real trace from the model (src/scenario/run.ts), steps, breaks on the drop', async function () {
    let real: { trace: Trace; file: string } | undefined;
    try {
      real = realTrace();
    } catch (e) {
      assert.fail(`running the scenario failed: ${e instanceof Error ? e.message : e}`);
    }
    assert.ok(real, 'the scenario gave no trace');
    const t = real.trace;
    await load(page, t);
    assert.match(await text(page, '.title'), new RegExp(`${t.events.length} events`));
    for (let i = 0; i < 6; i++) await stepWith(page, 'btn-stepInto');
    assert.strictEqual(await text(page, '#pos'), `7 / ${t.events.length}`);
    assert.match(await text(page, '.fn-line'), new RegExp(`^${t.events[6].fn}\\(\\)`));
    await screenshot(page, 'debugger-dark-real-step');
    const drop = t.events.findIndex((e) => e.drop);
    if (drop >= 0) {
      await page.locator('#bp-input').click();
      await page.keyboard.type('drop');
      await page.keyboard.press('Enter');
      await page.waitForSelector('ul.bps li.bp');
      await stepWith(page, 'btn-continue');
      assert.strictEqual(await text(page, '#pos'), `${drop + 1} / ${t.events.length}`);
      assert.match(await text(page, '.drop-line'), new RegExp(t.events[drop].drop as string));
      await screenshot(page, 'debugger-dark-real-drop');
    }
    await stepWith(page, 'btn-runToEnd');
    assert.strictEqual(await text(page, '#pos'), `${t.events.length} / ${t.events.length}`);
    await screenshot(page, 'debugger-dark-real-end');
  });
});
