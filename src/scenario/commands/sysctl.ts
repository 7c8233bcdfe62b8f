// `sysctl [-w] [-q] KEY=VALUE …` as procps-ng reads it: an argument with `=` is written even
// without -w, several may follow one another, and a key may use `/` as its separator.
import { Diag, q, subTok } from '../diag';
import { SetupCommand, Tok } from '../types';

export function parseSysctl(words: Tok[], d: Diag): SetupCommand[] {
  const out: SetupCommand[] = [];
  let write = false;
  let i = 1;
  for (; i < words.length && words[i].text.startsWith('-'); i++) {
    const o = words[i].text;
    if (/^-[wq]+$/.test(o)) write ||= o.includes('w');
    else if (o === '--write') write = true;
    else if (o === '--quiet') continue;
    else {
      d.error(words[i], `${q(o)}: unsupported sysctl option; a setup line writes values: \`sysctl -w KEY=VALUE\``);
      return [];
    }
  }
  if (i === words.length) {
    d.error(words[i - 1], '`sysctl` needs KEY=VALUE');
    return [];
  }
  for (; i < words.length; i++) {
    const w = words[i];
    const eq = w.text.indexOf('=');
    if (eq < 0) {
      const next = words[i + 1]?.text;
      d.error(w, next?.startsWith('=') ? `${q(w.text)}: write KEY=VALUE without spaces around \`=\`` : `${q(w.text)} must be of the form KEY=VALUE${write ? '' : ' (reading a value is not a setup step)'}`);
      return out;
    }
    if (eq === 0) {
      d.error(w, `${q(w.text)}: the key is missing before \`=\``);
      return out;
    }
    const keyTok = subTok(w, 0, eq);
    const key = normaliseKey(keyTok.text);
    if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_/:@+-]+)+$/.test(key)) {
      d.error(keyTok, `${q(keyTok.text)} is not a sysctl key (like net.ipv4.ip_forward)`);
      continue;
    }
    const value = subTok(w, eq + 1);
    if (value.text === '') {
      d.error(w, `${q(w.text)}: the value is missing after \`=\``);
      continue;
    }
    out.push({ kind: 'sysctl', pos: words[0].pos, key: { text: key, pos: keyTok.pos }, value });
  }
  return out;
}

/**
 * procps' slashdot(): the first separator tells the style; in the `/` style a `.` belongs to a
 * name (eth0.1), so it becomes `/` in the dotted form (net.ipv4.conf.eth0/1.rp_filter).
 */
export function normaliseKey(key: string): string {
  const first = /[./]/.exec(key);
  if (!first || first[0] === '.') return key;
  return key.replace(/[./]/g, (c) => (c === '/' ? '.' : '/'));
}
