// Send results on both sides as errno names: the kernel's helper reports Python's OSError
// (errno number and strerror text), the model its own words ("EMSGSIZE", "no route to 10.0.9.9
// (Network is unreachable)"). Both are reduced to the errno name before they are compared, so
// that EACCES and "Permission denied" are the same result.

/** strerror(3) text (glibc) → errno name, for the errors a send or connect can return. */
export const STRERROR: Record<string, string> = {
  'Operation not permitted': 'EPERM',
  'Permission denied': 'EACCES',
  'Message too long': 'EMSGSIZE',
  'Network is unreachable': 'ENETUNREACH',
  'No route to host': 'EHOSTUNREACH',
  'Invalid argument': 'EINVAL',
  'Connection refused': 'ECONNREFUSED',
  'Connection timed out': 'ETIMEDOUT',
  'Connection reset by peer': 'ECONNRESET',
  'No buffer space available': 'ENOBUFS',
  'Cannot assign requested address': 'EADDRNOTAVAIL',
  'Address already in use': 'EADDRINUSE',
  'Network is down': 'ENETDOWN',
  'Host is down': 'EHOSTDOWN',
  'Protocol not available': 'ENOPROTOOPT',
  'Destination address required': 'EDESTADDRREQ',
  'Transport endpoint is not connected': 'ENOTCONN',
  'Protocol error': 'EPROTO',
  'Resource temporarily unavailable': 'EAGAIN',
};

/** Linux errno numbers (asm-generic/errno*.h) → names, for a helper that reports only the number. */
export const ERRNO: Record<number, string> = {
  1: 'EPERM',
  11: 'EAGAIN',
  13: 'EACCES',
  22: 'EINVAL',
  71: 'EPROTO',
  89: 'EDESTADDRREQ',
  90: 'EMSGSIZE',
  92: 'ENOPROTOOPT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  104: 'ECONNRESET',
  105: 'ENOBUFS',
  107: 'ENOTCONN',
  110: 'ETIMEDOUT',
  111: 'ECONNREFUSED',
  112: 'EHOSTDOWN',
  113: 'EHOSTUNREACH',
};

const NAMES = new Set([...Object.values(STRERROR), ...Object.values(ERRNO)]);

/**
 * "ok", or the errno name in a result text: an errno name written in it (EMSGSIZE), a strerror
 * text (Permission denied), or a number (`errno` 13). Anything else is kept as it is (so that it
 * still shows, and differs, rather than reading as success).
 */
export function errnoName(result: string | undefined, errno?: number): string {
  if (result === undefined || result === 'ok') return errno ? ERRNO[errno] ?? `errno ${errno}` : 'ok';
  for (const w of result.match(/\bE[A-Z]{2,}\b/g) ?? []) if (NAMES.has(w)) return w;
  for (const [text, name] of Object.entries(STRERROR)) if (result.toLowerCase().includes(text.toLowerCase())) return name;
  if (errno) return ERRNO[errno] ?? `errno ${errno}`;
  return result;
}
