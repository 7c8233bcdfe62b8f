// The scenario a "New Scenario" starts from: valid as it is (a test runs it), every part
// commented so a newcomer can change it without reading the docs first.
export const SCENARIO_TEMPLATE = `# A scenario: hosts (each a network namespace), the links between them, what listens, and the
# traffic to send. Run it with "Open Packet Debugger" above this line, or \`netstack trace FILE\`.
name: my scenario
description: |
  What this scenario shows, in a sentence or two.

# Each host runs its setup commands in order: ip, sysctl, nft, iptables (as on a real system).
hosts:
  client: |
    ip addr add 10.0.1.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.1.1
  router: |
    sysctl -w net.ipv4.ip_forward=1
    ip addr add 10.0.1.1/24 dev eth0
    ip addr add 10.0.2.1/24 dev eth1
    ip link set eth0 up
    ip link set eth1 up
  server: |
    ip addr add 10.0.2.2/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.1

# A link is a veth pair: HOST:IFNAME at each end.
links:
  - client:eth0 router:eth0
  - router:eth1 server:eth0

# Sockets that applications hold open: "udp PORT" or "tcp PORT" (a listener).
listen:
  - server: udp 53

# What is sent, one item after the other once the network has settled.
traffic:
  - from: client
    send: udp to 10.0.2.2:53 payload hello
  - from: client
    send: icmp echo-request to 10.0.2.2
`;
