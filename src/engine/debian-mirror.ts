import { readFile, readdir } from 'node:fs/promises';

// The Debian mirror debootstrap uses comes from this host's own apt configuration (never hard-coded):
// DRILL_DEBIAN_MIRROR, else the first `URIs:` of a deb822 .sources file, else the first `deb` line.
export async function debianMirror(): Promise<string> {
  if (process.env.DRILL_DEBIAN_MIRROR) return process.env.DRILL_DEBIAN_MIRROR;
  const dir = '/etc/apt/sources.list.d';
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.sources')).sort();
  for (const file of files) {
    const text = await readFile(`${dir}/${file}`, 'utf8');
    for (const stanza of text.split(/\n\s*\n/)) {
      if (/^Suites:.*\bbookworm\b(?!-)/m.test(stanza) || /^Suites:\s*bookworm\s*$/m.test(stanza)) {
        const uri = /^URIs:\s*(\S+)/m.exec(stanza)?.[1];
        if (uri && !uri.includes('security')) return uri;
      }
    }
  }
  const list = await readFile('/etc/apt/sources.list', 'utf8').catch(() => '');
  const deb = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m.exec(list)?.[1];
  if (deb) return deb;
  throw new Error('no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set DRILL_DEBIAN_MIRROR');
}
