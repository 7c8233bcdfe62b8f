// Conntrack's TCP state table (src/model/net/netfilter/nf_conntrack_proto_tcp.ts, v6.12's
// tcp_conntracks): the moves that decide whether a segment keeps its entry.
import * as assert from 'assert';
import { tcpNewState, tcpNextState } from '../../../src/model/net/netfilter/nf_conntrack_proto_tcp';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_RST, TCPHDR_SYN } from '../../../src/model/proto/tcp';

const SYN = TCPHDR_SYN;
const SYNACK = TCPHDR_SYN | TCPHDR_ACK;
const ACK = TCPHDR_ACK;
const FIN = TCPHDR_FIN | TCPHDR_ACK;
const RST = TCPHDR_RST;

describe('conntrack: the TCP state table (tcp_conntracks)', () => {
  it('a connection starts only from a SYN, or mid-stream from an ACK (tcp_new)', () => {
    assert.strictEqual(tcpNewState(SYN), 'SYN_SENT');
    assert.strictEqual(tcpNewState(ACK | TCPHDR_PSH), 'ESTABLISHED');
    for (const f of [SYNACK, FIN & ~TCPHDR_ACK, RST, 0]) assert.strictEqual(tcpNewState(f), null, `flags ${f}`);
    // FIN|ACK is a FIN for the table: it cannot start one either
    assert.strictEqual(tcpNewState(FIN), null);
  });

  it('the handshake: SYN_SENT, SYN_RECV on the SYN-ACK, ESTABLISHED on the ACK', () => {
    assert.strictEqual(tcpNextState('SYN_SENT', SYNACK, true), 'SYN_RECV');
    assert.strictEqual(tcpNextState('SYN_RECV', ACK, false), 'ESTABLISHED');
  });

  it('an ACK from the opener before any SYN-ACK was seen is invalid; from the other end it is ignored', () => {
    assert.strictEqual(tcpNextState('SYN_SENT', ACK, false), 'INVALID');
    assert.strictEqual(tcpNextState('SYN_SENT', ACK, true), 'IGNORE');
    // the opener cannot send a SYN-ACK; a retransmitted SYN-ACK in SYN_RECV is ignored
    assert.strictEqual(tcpNextState('SYN_SENT', SYNACK, false), 'INVALID');
    assert.strictEqual(tcpNextState('SYN_RECV', SYNACK, true), 'IGNORE');
    // a segment with none of the four flags is always invalid
    assert.strictEqual(tcpNextState('ESTABLISHED', TCPHDR_PSH, false), 'INVALID');
  });

  it('closing: a FIN from either end goes to FIN_WAIT, the ACK to CLOSE_WAIT, the other FIN to LAST_ACK, the last ACK to TIME_WAIT', () => {
    assert.strictEqual(tcpNextState('ESTABLISHED', FIN, true), 'FIN_WAIT');
    assert.strictEqual(tcpNextState('ESTABLISHED', FIN, false), 'FIN_WAIT');
    assert.strictEqual(tcpNextState('FIN_WAIT', ACK, false), 'CLOSE_WAIT');
    assert.strictEqual(tcpNextState('CLOSE_WAIT', FIN, false), 'LAST_ACK');
    assert.strictEqual(tcpNextState('LAST_ACK', ACK, true), 'TIME_WAIT');
    assert.strictEqual(tcpNextState('SYN_SENT', FIN, false), 'INVALID');
  });

  it('an RST closes any started connection; a SYN on a closed one is looked up again', () => {
    for (const s of ['SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'TIME_WAIT']) assert.strictEqual(tcpNextState(s, RST, false), 'CLOSE');
    assert.strictEqual(tcpNextState('TIME_WAIT', SYN, false), 'REPEAT');
    assert.strictEqual(tcpNextState('CLOSE', SYN, false), 'REPEAT');
    // a SYN in ESTABLISHED is ignored (the hosts may have re-synced without us)
    assert.strictEqual(tcpNextState('ESTABLISHED', SYN, false), 'IGNORE');
  });

  it('a simultaneous open: SYN from both ends, and the reply ACK in SYN_RECV completes it', () => {
    assert.strictEqual(tcpNextState('SYN_SENT', SYN, true), 'SYN_SENT2');
    assert.strictEqual(tcpNextState('SYN_SENT2', SYNACK, false), 'SYN_RECV');
    assert.strictEqual(tcpNextState('SYN_RECV', ACK, true, true), 'ESTABLISHED');
    assert.strictEqual(tcpNextState('SYN_RECV', ACK, true, false), 'SYN_RECV');
  });
});
