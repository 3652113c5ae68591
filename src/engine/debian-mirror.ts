import { readFile, readdir } from 'node:fs/promises';

// The Debian mirror debootstrap uses comes from this host's own apt configuration where the host is
// Debian: DRILL_DEBIAN_MIRROR, else the first `URIs:` of a bookworm deb822 .sources stanza, else the first
// `deb` line. Another distribution's apt sources (Ubuntu's archive) hold no Debian: there the Debian
// project's own redirector is the mirror, unless DRILL_DEBIAN_MIRROR names one.

/** deb.debian.org: Debian's CDN redirector, the default of debootstrap itself. */
export const DEBIAN_REDIRECTOR = 'http://deb.debian.org/debian';

/** Where the host's answers are; a test points them at files of another distribution. */
export interface HostFiles {
  env: NodeJS.ProcessEnv;
  sourcesDir: string;
  sourcesList: string;
  osRelease: string;
}
const HOST: HostFiles = { env: process.env, sourcesDir: '/etc/apt/sources.list.d', sourcesList: '/etc/apt/sources.list', osRelease: '/etc/os-release' };

export async function debianMirror(host: HostFiles = HOST): Promise<string> {
  if (host.env.DRILL_DEBIAN_MIRROR) return host.env.DRILL_DEBIAN_MIRROR;
  const dir = host.sourcesDir;
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
  const os = await readFile(host.osRelease, 'utf8').catch(() => '');
  if (!/^ID="?debian"?$/m.test(os)) return DEBIAN_REDIRECTOR;
  const list = await readFile(host.sourcesList, 'utf8').catch(() => '');
  const deb = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m.exec(list)?.[1];
  if (deb) return deb;
  throw new Error('no Debian mirror found in /etc/apt/sources.list.d/*.sources or /etc/apt/sources.list; set DRILL_DEBIAN_MIRROR');
}
