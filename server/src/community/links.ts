import { createRequire } from 'node:module';
import { LinkifyIt } from 'linkify-it';

/**
 * Counts the links in a community message the way readers meet them: what a chat client or
 * browser would make clickable (linkify-it, bare domains like `example.com` included, against
 * the full IANA list of top-level domains), without the tricks that hid links from a simple
 * pattern:
 * - links glued together (`http://a.comhttp://b.com`, `www.a.comwww.b.com`) count one each:
 *   every scheme or `www.` starts a link of its own;
 * - domains glued into one host name count one each: `a.com.b.com.c.com` (the top-level domain
 *   repeated inside the host) and `a.comb.comc.com` (labels that begin with the host's top-level
 *   domain, counted from two such labels on, since one alone is a plain name like
 *   `www.company.com`);
 * - full-width letters and dots, the ideographic full stop and invisible characters (zero-width
 *   spaces, soft hyphens) are read as what they look like.
 */
const tlds = createRequire(import.meta.url)('tlds') as string[];
const linkify = new LinkifyIt({ fuzzyLink: true, fuzzyEmail: true }).tlds(tlds, true);

/** Where a link begins: a scheme a client links (`http://`, `mailto:` …) or `www.`. */
const LINK_START = /(?:https?:\/\/|ftp:\/\/|mailto:|www\.)/gi;
const INVISIBLE = /[\p{Cf}\u115F\u1160\u3164\uFFA0]/gu;
const ODD_DOTS = /[\u3002\uFF61\uFE52\u2024]/g;

/** The text as a reader sees it: NFKC (full-width to plain), invisible characters removed, look-alike dots as dots. */
function asSeen(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(ODD_DOTS, '.');
}

/**
 * Separates links glued to the word before them (`…comhttp://`, `…comwww.`), so each is found on
 * its own. A start after punctuation (`http://www.`, a link in a link's path) is left alone.
 */
function unglue(text: string): string {
  return text.replace(LINK_START, (start: string, offset: number) => (offset > 0 && /[\p{L}\p{N}]/u.test(text[offset - 1]!) ? ` ${start}` : start));
}

/** How many domains a host name is glued from (see above); 1 for an ordinary host. */
function domainsIn(host: string): number {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  const tld = labels.at(-1);
  if (!tld || labels.length < 3) return 1;
  const inner = labels.slice(1, -1);
  const repeated = inner.filter((l) => l === tld).length;
  const prefixed = inner.filter((l) => l !== tld && l.startsWith(tld)).length;
  return 1 + repeated + (prefixed >= 2 ? prefixed : 0);
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** The number of links in `text` as counted for COMMUNITY_MAX_LINKS. */
export function countLinks(text: string): number {
  const matches = linkify.match(unglue(asSeen(text))) ?? [];
  let count = 0;
  for (const match of matches) {
    const host = match.schema === 'mailto:' ? null : hostOf(match.url);
    count += host ? domainsIn(host) : 1;
  }
  return count;
}
