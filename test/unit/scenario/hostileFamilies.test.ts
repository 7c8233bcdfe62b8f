// Families of hostile input found by mutating the examples (session 11): each once ended in a
// TypeError, or was read as something other than what the tool it imitates reads.
import * as assert from 'assert';
import { runScenarioText, scenarioErrors } from '../../../src/scenario/run';
import { ScenarioErrors } from '../../../src/scenario/types';
import { errors, oneError, withScript } from './helpers';

/** Every error of running `text`, as file:line:col: detail; a crash fails the test. */
function runErrors(text: string): string[] {
  try {
    runScenarioText(text, 'f.yaml', { level: 'fates' });
  } catch (e) {
    if (e instanceof ScenarioErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  return assert.fail('the scenario ran; it should have been refused');
}

const TWO = (extra: string): string =>
  `name: t\nhosts:\n  a: |\n    ip addr add 10.0.1.1/24 dev eth0\n    ip link set eth0 up\n  b: |\n    ip addr add 10.0.1.2/24 dev eth0\n    ip link set eth0 up\nlinks:\n  - a:eth0 b:eth0\n${extra}traffic:\n  - from: a\n    send: icmp echo-request to 10.0.1.2\n`;

describe('hostile input families', () => {
  it('a listener on an unknown host is one positioned error, with the setup errors of the rest (not a TypeError)', () => {
    for (const sock of ['tcp 80', 'udp 53', 'udp 10.0.1.1:53', 'tcp [::]:80']) {
      const errs = runErrors(TWO(`listen:\n  - a: udp 9\n  - h9: ${sock}\n`));
      assert.deepStrictEqual(errs, ['f.yaml:13:5: unknown host `h9`; hosts are a, b'], sock);
    }
    // and the errors of applying the rest still come with it
    const errs = scenarioErrors(TWO('listen:\n  - h9: tcp 80\n').replace('ip link set eth0 up\n  b', 'ip link set eth7 up\n  b'), 'f.yaml');
    assert.deepStrictEqual(
      errs.map((e) => `${e.pos.line}:${e.pos.col}`),
      ['5:17', '12:5'],
    );
  });

  it('a YAML tag is refused where it is written, not followed (!!binary, !!int) or ignored (!foo)', () => {
    oneError(TWO('').replace('name: t', 'name: !!binary dGVzdA=='), 1, 7, 'YAML tag `!!binary`: not modelled');
    oneError(TWO('').replace('name: t', 'name: !foo t'), 1, 7, 'YAML tag `!foo`');
    oneError(TWO('').replace('  - from: a', '  - !!map\n    from: a'), 12, 5, 'YAML tag `!!map`');
    oneError(TWO('').replace('traffic:', 'traffic: !!seq'), 11, 10, 'YAML tag `!!seq`');
    oneError(TWO('').replace('  a: |', '  a: &s !!str |'), 3, 9, 'YAML tag `!!str`');
    // a `!` inside a value is text, not a tag
    assert.deepStrictEqual(errors(withScript('iptables -A INPUT ! -s 10.0.0.1 -j DROP\nbogus')).map((e) => e.line), [5]);
  });

  it("a number with a leading zero, which iproute2 reads as octal (strtoul base 0), is refused, not read as decimal", () => {
    oneError(withScript('ip addr add 10.0.1.1/010 dev eth0'), 4, 26, '`010`: a leading zero is ambiguous (octal to iproute2, 010 is 8)');
    oneError(withScript('ip link set eth0 mtu 01500'), 4, 26, '`01500`: a leading zero');
    oneError(withScript('ip route add 10.0.9.0/24 dev eth0 metric 09'), 4, 46, '09 is not a number');
    oneError(withScript('ip rule add from 10.0.1.0/24 table 0100'), 4, 40, 'ambiguous');
    // 0 alone, and hex where iproute2 takes it (a fwmark), still read
    assert.deepStrictEqual(errors(withScript('ip route add 10.0.9.0/24 dev eth0 metric 0\nip rule add fwmark 0x10 table 5\nbogus')).map((e) => e.line), [6]);
  });

  it('a setup line longer than execve takes is E2BIG at its start, and its words are not kept', () => {
    const comment = 'x'.repeat(131_072);
    oneError(withScript(`nft add rule ip t c comment "${comment}"`), 4, 5, 'Argument list too long (E2BIG): an argument of 131072 bytes, more than execve takes (MAX_ARG_STRLEN, 131072 bytes)');
    // one byte less fits (131,071 and its NUL): only the next line is wrong
    assert.deepStrictEqual(errors(withScript(`nft add rule ip t c comment "${comment.slice(1)}"\nbogus`)).map((e) => e.line), [5]);
    // a million short words: over ARG_MAX; the continuation lines of the command go with it, the next line is read
    const t0 = Date.now();
    const es = errors(withScript(`ip link set eth0 ${'up '.repeat(1_000_000)}\\
  down
ip link set eth7 up`));
    assert.deepStrictEqual(es.map((e) => [e.line, e.col]), [[4, 5], [6, 17]], JSON.stringify(es.slice(0, 3)));
    assert.match(es[0].detail, /the arguments of this command take more than 2097152 bytes \(ARG_MAX/);
    assert.ok(Date.now() - t0 < 5000, `${Date.now() - t0} ms`);
  });

  it('a UDP payload longer than a datagram can carry is EMSGSIZE at `payload`, not sent with a wrapped length', () => {
    const send = (line: string): string => TWO('').replace('send: icmp echo-request to 10.0.1.2', line);
    const at = 'send: udp to 10.0.1.2:9 '.length + 5;
    oneError(send(`send: udp to 10.0.1.2:9 payload "${'x'.repeat(65_508)}"`), 13, at, 'a payload of 65508 bytes: a UDP datagram over IPv4 carries at most 65507 (sendmsg fails with EMSGSIZE)');
    assert.doesNotThrow(() => runScenarioText(send(`send: udp to 10.0.1.2:9 payload "${'x'.repeat(65_507)}"`), 'f.yaml', { level: 'fates' }));
    oneError(send(`send: udp to [2001:db8::2]:9 payload "${'x'.repeat(65_528)}"`), 13, 'send: udp to [2001:db8::2]:9 '.length + 5, 'over IPv6 carries at most 65527');
  });

  it("a socket's TTL of 0 is setsockopt's EINVAL (IPv4 only: IPv6's hop limit takes 0; a wire frame may carry 0)", () => {
    const send = (line: string): string => TWO('').replace('send: icmp echo-request to 10.0.1.2', line);
    oneError(send('send: icmp echo-request to 10.0.1.2 ttl 0'), 13, 'send: icmp echo-request to 10.0.1.2 ttl '.length + 5, 'setsockopt(IP_TTL) fails with EINVAL');
    oneError(send('send: udp to 10.0.1.2:9 ttl 0'), 13, 'send: udp to 10.0.1.2:9 ttl '.length + 5, 'EINVAL');
    assert.doesNotThrow(() => runScenarioText(send('send: udp to 10.0.1.2:9 ttl 1'), 'f.yaml', { level: 'fates' }));
    const ping6 = TWO('')
      .replace(/(dev eth0\n)( {4}ip link set eth0 up\n {2}b)/, '$1    ip -6 addr add 2001:db8::1/64 dev eth0 nodad\n$2')
      .replace('send: icmp echo-request to 10.0.1.2', 'send: icmp echo-request to 2001:db8::1 ttl 0')
      .replace('from: a', 'from: b');
    assert.doesNotThrow(() => runScenarioText(ping6, 'f.yaml', { level: 'fates' }));
  });

  it("an MTU is checked against the device's range: a veth's 68..65535, lo's none (its own 65536)", () => {
    oneError(withScript('ip link set eth0 mtu 65536'), 4, 26, '`mtu`: `65536` is out of range (68..65535)');
    oneError(withScript('ip link set dev eth1 mtu 67 up'), 4, 30, '`67` is out of range (68..65535)');
    oneError(withScript('ip link set lo mtu 67'), 4, 24, 'mtu 67 on lo: the kernel takes it, and IPv4 then leaves the device (inetdev_valid_mtu); not modelled');
    oneError(withScript('ip link set lo mtu 2147483648'), 4, 24, 'out of range (0..2147483647)');
    assert.deepStrictEqual(errors(withScript('ip link set lo mtu 65536\nip link set mtu 70000 dev lo\nbogus')).map((e) => e.line), [6]);
  });

  it("iptables: a `!` that ends the line is iptables' error, at the `!`", () => {
    for (const line of ['iptables -A INPUT !', 'iptables -A OUTPUT -p udp -m owner !', 'ip6tables -A FORWARD -m ipv6header !']) {
      const errs = runErrors(withScript(line).replace('h: |', 'h: |\n    ip link set eth0 up').replace(/^name: t/, 'name: t'));
      assert.strictEqual(errs.length, 1, errs.join('\n'));
      assert.match(errs[0], new RegExp(`^f\\.yaml:5:${line.length + 4}: nothing appropriate following !$`));
    }
  });
});
