// A path the model does not have yet, met while a scenario runs (IPv6 fragmentation at the
// source, a redirect…): the run stops and the scenario layer reports it at the traffic item
// that led there, rather than taking a path the kernel would not.
export class NotModelled extends Error {}
