import * as assert from 'assert';
import { move } from '../../../src/debugger/cursor';
import { DebuggerSession } from '../../../src/debugger/session';
import { detailAgrees, eventCount, eventDetail, indexTrace, nameAt, packetLinks } from '../../../src/debugger/traceIndex';
import { INDEX_FLAG, INDEX_LAYERS, STEP_ACTIONS, checkHostToWebview, packIndex, unpackIndex, type HostToWebview } from '../../../src/protocol';
import { bigTrace, ttlTrace } from '../../fixtures/synthetic-trace';

describe('trace index (what the webview is sent of the whole trace)', () => {
  it('keeps, per event, the host, packet, function, layer, device, hook, drop and flags of the trace', () => {
    const t = bigTrace(500);
    const ix = indexTrace(t);
    assert.strictEqual(eventCount(ix), t.events.length);
    t.events.forEach((e, i) => {
      assert.strictEqual(nameAt(ix, 'host', i), e.host);
      assert.strictEqual(ix.packet[i], e.packet);
      assert.strictEqual(nameAt(ix, 'fn', i), e.fn);
      assert.strictEqual(INDEX_LAYERS[ix.layer[i]], e.layer);
      assert.strictEqual(nameAt(ix, 'dev', i), e.skb?.dev ?? undefined);
      assert.strictEqual(nameAt(ix, 'hook', i), e.hook?.hook);
      assert.strictEqual(nameAt(ix, 'drop', i), e.drop);
      assert.strictEqual((ix.flags[i] & INDEX_FLAG.skb) !== 0, e.skb !== undefined);
      assert.strictEqual((ix.flags[i] & INDEX_FLAG.outgoing) !== 0, e.skb?.pkt_type === 'PACKET_OUTGOING');
    });
    assert.strictEqual(new Set(ix.strings).size, ix.strings.length, 'each name once');
  });

  it('packs its columns for the wire and unpacks them to the same numbers, at any width', () => {
    const t = bigTrace(500);
    const ix = indexTrace(t);
    // a packet id past 65,535 and one past 2^24 need 4 bytes
    ix.packet[7] = 70_000;
    ix.packet[8] = 2 ** 31 - 1;
    const wire = packIndex(ix);
    assert.strictEqual(wire.columns.packet.width, 4);
    assert.strictEqual(wire.columns.layer.width, 1);
    const back = unpackIndex(JSON.parse(JSON.stringify(wire)));
    assert.ok(back.ok);
    for (const k of ['host', 'packet', 'fn', 'layer', 'dev', 'hook', 'drop', 'flags'] as const) assert.deepStrictEqual([...back.message[k]], [...ix[k]], k);
    assert.deepStrictEqual(back.message.strings, ix.strings);
    assert.ok(JSON.stringify(wire).length * 20 < JSON.stringify(t).length, 'much smaller than the trace');
  });

  it('the cursor walking packets\' links moves exactly as the scan of the whole trace', () => {
    for (const t of [ttlTrace(), bigTrace(1500)]) {
      const links = packetLinks(t.events.map((e) => e.packet));
      const focuses = [null, ...[...links.of.keys()].filter((_, k) => k % 37 === 0)];
      for (const focus of focuses) {
        for (let index = 0; index < t.events.length; index += 7) {
          for (const action of STEP_ACTIONS) {
            const plain = move({ events: t.events, index, focus }, action);
            const linked = move({ events: t.events, index, focus, links }, action);
            assert.deepStrictEqual(linked, plain, `${action} from ${index}, focus ${focus}`);
          }
        }
      }
    }
  });

  it('the session sends the index once and, with each move, the event at the cursor and the packet\'s previous one', async () => {
    const t = ttlTrace();
    const s = new DebuggerSession();
    s.load(t, 'TTL', null);
    const got: HostToWebview[] = [];
    const view = { post: (m: HostToWebview) => got.push(m) };
    s.attach(view);
    await s.receive(view, { type: 'debugger/ready' });
    const tm = got[0];
    assert.ok(tm.type === 'debugger/trace' && !('trace' in tm) && tm.index.count === t.events.length);
    const ix = unpackIndex(tm.index);
    assert.ok(ix.ok);
    for (let k = 0; k < 12; k++) await s.receive(view, { type: 'debugger/step', action: 'stepInto' });
    const last = got[got.length - 1];
    assert.ok(last.type === 'debugger/state' && last.detail);
    assert.strictEqual(last.detail.index, last.state.index);
    assert.deepStrictEqual(last.detail.event, t.events[last.state.index]);
    const prev = [...t.events.keys()].filter((i) => i < last.state.index && t.events[i].packet === t.events[last.state.index].packet).pop();
    assert.deepStrictEqual(last.detail.prev, prev === undefined ? null : t.events[prev]);
    // what crosses to the webview validates, and the detail agrees with the index
    for (const m of got) assert.ok(checkHostToWebview(JSON.parse(JSON.stringify(m))).ok, m.type);
    assert.ok(detailAgrees(ix.message, last.detail, packetLinks(ix.message.packet)));
  });

  it('a state carries the breakpoints only when they changed since the view last got them', async () => {
    const t = ttlTrace();
    const s = new DebuggerSession();
    s.load(t, 'TTL', null);
    const got: HostToWebview[] = [];
    const view = { post: (m: HostToWebview) => got.push(m) };
    s.attach(view);
    await s.receive(view, { type: 'debugger/ready' });
    const states = (): Extract<HostToWebview, { type: 'debugger/state' }>[] => got.filter((m): m is Extract<HostToWebview, { type: 'debugger/state' }> => m.type === 'debugger/state');
    assert.deepStrictEqual(states()[0].state.breakpoints, []);
    await s.receive(view, { type: 'debugger/step', action: 'stepInto' });
    assert.strictEqual(states()[1].state.breakpoints, undefined, 'a step leaves them out');
    await s.receive(view, { type: 'debugger/setBreakpoints', requestId: 1, breakpoints: [{ id: 'd', text: 'drop', enabled: true }] });
    assert.strictEqual(states()[2].state.breakpoints?.[0].hits, 1);
    await s.receive(view, { type: 'debugger/step', action: 'continue' });
    assert.strictEqual(states()[3].state.breakpoints, undefined);
    assert.strictEqual(states()[3].state.hitBreakpoint, 'd');
    s.load(t, 'TTL again', null);
    assert.strictEqual(got[got.length - 2].type, 'debugger/trace');
    assert.strictEqual(states()[4].state.breakpoints?.length, 1, 'a new trace comes with them again');
  });

  it('a detail of another event than the index has at that position does not agree', () => {
    const t = ttlTrace();
    const ix = indexTrace(t);
    const links = packetLinks(ix.packet);
    const d = eventDetail(t, links, 10);
    assert.ok(d && detailAgrees(ix, d, links));
    const other = t.events.findIndex((e) => e.fn !== t.events[10].fn);
    assert.strictEqual(detailAgrees(ix, { ...d, event: t.events[other] }, links), false);
    assert.strictEqual(detailAgrees(ix, { ...d, index: t.events.length }, links), false);
    assert.strictEqual(detailAgrees(ix, { ...d, prev: null }, links), links.prev[10] < 0);
  });
});
