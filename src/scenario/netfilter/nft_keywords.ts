// The words nft's scanner reads as keywords where a table, chain or set name is expected, so
// that `chain fwd` is "syntax error, unexpected fwd, expecting string". Measured with nftables
// 1.0.6 (`nft -c -f`, in a network namespace of its own): each word of nftables' own rule-line
// tests and of the grammar's statements and commands was tried as a chain name; these are the
// ones it refused (table and set names and jump targets are read the same way).
export const NFT_KEYWORDS: ReadonlySet<string> = new Set([
  'accept', 'add', 'ah', 'all', 'and', 'arp', 'auto-merge', 'bridge', 'cgroup', 'chain', 'comment',
  'comp', 'constant', 'continue', 'counter', 'cpu', 'create', 'ct', 'day', 'dccp', 'define',
  'delete', 'describe', 'device', 'devices', 'dnat', 'drop', 'dst', 'dup', 'dynamic', 'ecn',
  'element', 'elements', 'eq', 'esp', 'ether', 'exists', 'export', 'fib', 'flags', 'flow',
  'flowtable', 'flush', 'frag', 'fwd', 'goto', 'gt', 'handle', 'hbh', 'hook', 'hour', 'ibriport',
  'ibrname', 'icmp', 'icmpv6', 'igmp', 'iif', 'iifgroup', 'iifname', 'iiftype', 'import',
  'include', 'index', 'inet', 'insert', 'interval', 'ip', 'ip6', 'ipsec', 'jhash', 'jump', 'limit',
  'list', 'log', 'lt', 'map', 'mark', 'masquerade', 'meta', 'mh', 'missing', 'monitor', 'netdev',
  'nftrace', 'notrack', 'numgen', 'obriport', 'obrname', 'offload', 'oif', 'oifgroup', 'oifname',
  'oiftype', 'or', 'osf', 'pkttype', 'policy', 'position', 'priority', 'queue', 'quota', 'random',
  'redirect', 'reject', 'rename', 'replace', 'reset', 'return', 'rt', 'rt0', 'rtclassid', 'rule',
  'sctp', 'secmark', 'set', 'size', 'skgid', 'skuid', 'snat', 'socket', 'srh', 'symhash',
  'synproxy', 'table', 'tcp', 'th', 'time', 'timeout', 'tproxy', 'type', 'udp', 'udplite',
  'update', 'vlan', 'vmap', 'xor',
]);
