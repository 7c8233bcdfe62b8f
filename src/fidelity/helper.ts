// The small programs the harness runs inside a namespace, as one python3 script (standard
// library only) passed with `python3 -c`: no file is written for it. Each mode prints one JSON
// line when it is ready or done; long-lived modes wait for a line on stdin ("read") to read
// their queue, then for stdin to close before they exit.
//
//   udp-listen ADDR PORT RCVBUF|- CONNECT_ADDR:PORT|-   the scenario's `listen: udp …` (AF_INET6 for an IPv6 ADDR,
//                                                       IPV6_V6ONLY left to net.ipv6.bindv6only, as for TCP)
//   tcp-listen ADDR PORT                                the scenario's `listen: tcp …` (AF_INET6 for an IPv6 ADDR;
//                                                       IPV6_V6ONLY left to net.ipv6.bindv6only, as the model does)
//   sender        one per host; JSON commands on stdin, one JSON answer line each:
//                 {op:"udp", daddr, dport, sport?, sock? (one socket per key: an item with count), ttl?, pmtu:"do"|"dont"|null (null: the socket default), broadcast, hex}  `send: udp …`
//                 {op:"tcp", daddr, dport, sport?, data, timeout}  `send: tcp connect …` (+ data)
//                 {op:"tcp-many", daddr, dport, data, timeout, count, rate}  `send: tcp connect … count N rate R`:
//                               N connects started 1/R s apart, overlapping; one answer with each one's result
//                 {op:"frame", ifname, hex}  `into: HOST:IF` (a raw AF_PACKET send on the peer)
import * as fs from 'fs';

/**
 * The python3 the helper runs with: NSX_PYTHON, else the system's /usr/bin/python3 when there is
 * one (the helper needs only the standard library), else python3 from PATH. A version manager's
 * shim first on PATH (pyenv's runs a bash script at every start) makes each listener and sender
 * take seconds to start on a loaded machine — more than a minute with six sessions on 2 cores.
 */
export function pythonPath(exists: (p: string) => boolean = fs.existsSync, env = process.env): string {
  if (env.NSX_PYTHON) return env.NSX_PYTHON;
  return exists('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export const PY_HELPER = String.raw`
import json, os, select, socket, sys, time
mode = sys.argv[1]; a = sys.argv[2:]
def out(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
def wait_line():
    return sys.stdin.readline()
def wait_eof():
    while sys.stdin.readline():
        pass
IP_MTU_DISCOVER = 10
MODES = {"do": 2, "dont": 0, "want": 1}
def tcp_data(n):
    # what the model's application writes: A to Z over and over
    return bytes(0x41 + (i % 26) for i in range(n))
def fmt(src):
    return ("[%s]:%d" if ":" in src[0] else "%s:%d") % src[:2]
def udp_sock(v6, v6only=True):
    # a sender's IPv6 socket is IPV6_V6ONLY, as the model's are; a listener's follows net.ipv6.bindv6only
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    if v6 and v6only:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    return s
if mode == "udp-listen":
    s = udp_sock(":" in a[0], False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a[2] != "-":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, int(a[2]))
    s.bind((a[0], int(a[1])))
    if a[3] != "-":
        h, p = a[3].rsplit(":", 1); s.connect((h, int(p)))
    out({"ready": True, "rcvbuf": s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)})
    wait_line()
    got = []
    s.setblocking(False)
    while True:
        try:
            d, src = s.recvfrom(70000)
        except BlockingIOError:
            break
        except OSError as e:
            got.append({"error": e.strerror}); continue
        got.append({"from": fmt(src), "bytes": len(d), "hex": d.hex()})
    out({"received": got})
    wait_eof()
elif mode == "tcp-listen":
    s = socket.socket(socket.AF_INET6 if ":" in a[0] else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a[0], int(a[1]))); s.listen(128)
    out({"ready": True})
    wait_line()
    s.setblocking(False)
    acc = []; got = []; conns = []
    while True:
        try:
            c, src = s.accept()
        except BlockingIOError:
            break
        conns.append(c); acc.append(fmt(src))
        c.setblocking(False)
        data = b""
        while True:
            try:
                d = c.recv(1 << 20)
            except BlockingIOError:
                break
            if not d:
                break
            data += d
        if data:
            got.append({"from": fmt(src), "bytes": len(data), "hex": data[:4096].hex()})
    out({"accepted": acc, "received": got})
    wait_eof()
elif mode == "sender":
    # one per host: JSON commands on stdin, one JSON answer each; TCP sockets stay open
    keep = []
    udp_by_port = {}
    for line in sys.stdin:
        c = json.loads(line)
        try:
            if c["op"] == "udp":
                sp = c.get("sport")
                v6 = ":" in c["daddr"]
                # a fixed port, or one item's count N (one socket, one ephemeral port, as the model sends them)
                key = (v6, sp) if sp is not None else (v6, c["sock"]) if c.get("sock") else None
                s = udp_by_port.get(key) if key is not None else None
                if s is None:
                    s = udp_sock(v6)
                    if sp is not None:
                        s.bind(("::" if v6 else "0.0.0.0", sp))
                    if key is not None:
                        udp_by_port[key] = s
                if not v6:
                    # a socket kept for its port serves several items: -1 is the sysctl's default again
                    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, c["ttl"] if c.get("ttl") is not None else -1)
                    # no df in the item: the mode inet_create gives a new socket, from this
                    # namespace's ip_no_pmtu_disc (DONT when set, else WANT), as the model reads it
                    mode = c["pmtu"] or ("dont" if int(open("/proc/sys/net/ipv4/ip_no_pmtu_disc").read()) else "want")
                    s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, MODES[mode])
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1 if c.get("broadcast") else 0)
                keep.append(s)
                n = s.sendto(bytes.fromhex(c["hex"]), (c["daddr"], c["dport"]))
                out({"sent": n, "sport": s.getsockname()[1]})
            elif c["op"] == "tcp":
                v6 = ":" in c["daddr"]
                s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
                keep.append(s)
                if c.get("sport") is not None:
                    s.bind(("::" if v6 else "0.0.0.0", c["sport"]))
                s.setblocking(False)
                try:
                    s.connect((c["daddr"], c["dport"]))
                except BlockingIOError:
                    pass
                _, w, _ = select.select([], [s], [], c["timeout"])
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if not w:
                    out({"error": "Connection timed out"})
                elif err:
                    out({"error": os.strerror(err), "errno": err})
                else:
                    if c["data"]:
                        s.setblocking(True)
                        s.sendall(tcp_data(c["data"]))
                    out({"sent": c["data"], "sport": s.getsockname()[1]})
            elif c["op"] == "tcp-many":
                # started on schedule, not one after another: a connect waits for its answer, and
                # with a rate the next one starts while the others still wait (as the model runs them)
                v6 = ":" in c["daddr"]
                started = []
                t1 = time.monotonic()
                for k in range(c["count"]):
                    d = t1 + k / c["rate"] - time.monotonic()
                    if k and d > 0:
                        time.sleep(d)
                    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
                    keep.append(s)
                    s.setblocking(False)
                    try:
                        s.connect((c["daddr"], c["dport"]))
                        started.append((s, None))
                    except BlockingIOError:
                        started.append((s, None))
                    except OSError as e:
                        started.append((s, {"error": e.strerror or str(e), "errno": e.errno}))
                done = {}
                pending = [s for s, r in started if r is None]
                deadline = time.monotonic() + c["timeout"]
                while pending and time.monotonic() < deadline:
                    _, w, _ = select.select([], pending, [], max(0, deadline - time.monotonic()))
                    for s in w:
                        pending.remove(s)
                        err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                        if err:
                            done[s] = {"error": os.strerror(err), "errno": err}
                            continue
                        # the application writes once its own connect returned
                        if c["data"]:
                            s.setblocking(True)
                            s.sendall(tcp_data(c["data"]))
                            s.setblocking(False)
                        done[s] = {"sent": c["data"]}
                out({"results": [r if r is not None else done.get(s, {"error": "Connection timed out"}) for s, r in started]})
            elif c["op"] == "frame":
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                s.bind((c["ifname"], 0))
                out({"sent": s.send(bytes.fromhex(c["hex"]))})
                s.close()
            else:
                out({"error": "unknown op"})
        except OSError as e:
            out({"error": e.strerror or str(e), "errno": e.errno})
else:
    out({"error": "unknown mode " + mode})
`;
