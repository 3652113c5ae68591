import { UsageError } from '../util/errors.js';

// `--notify-url`: drill's traffic rule is that the runner talks only to 127.0.0.1 (loopback) and to the
// drill's own containers. A webhook is therefore posted to a loopback address only; a chat or incident
// tool elsewhere is reached through a local agent or forwarder listening on 127.0.0.1 that relays it.
// Checked when the flags are read, so a wrong URL stops the command before a drill starts (exit 2).

/** Hosts as the WHATWG URL parser normalises them (`127.1` and `0x7f.0.0.1` become 127.0.0.1, `LOCALHOST` localhost). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

const RULE =
  'drill sends traffic only to 127.0.0.1 (loopback) and to its own containers, so --notify-url must be an http(s) URL on 127.0.0.1, [::1] or localhost; ' +
  'to reach a chat or incident tool elsewhere, run a local agent or forwarder listening on 127.0.0.1 that relays the POST (e.g. http://127.0.0.1:9000/hook)';

/** The webhook URL, parsed; a UsageError (exit 2) naming the rule for anything but http(s) on a loopback host. */
export function checkNotifyUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--notify-url: not a URL: ${JSON.stringify(text)}. ${RULE}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--notify-url: ${url.protocol} is not http: or https:. ${RULE}`);
  if (!LOOPBACK_HOSTS.has(url.hostname)) throw new UsageError(`--notify-url: ${url.hostname} is not a loopback address. ${RULE}`);
  // fetch refuses URLs with credentials anyway; say so now rather than after the drill.
  if (url.username || url.password) throw new UsageError('--notify-url: user and password in the URL are not supported (give the relay its own credentials)');
  return url;
}

/** The URL without its path and query, for messages: a relay's path may carry a token. */
export function shownNotifyUrl(url: URL): string {
  return url.pathname === '/' && !url.search ? url.origin : `${url.origin}/…`;
}
