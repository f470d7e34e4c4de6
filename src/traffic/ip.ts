import { isIPv4, isIPv6 } from 'net';

/** A closed range of addresses of one family, as integers. */
export interface IpRange {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

/** Every address of a family: what "outside the inputs" starts from. */
export function wholeFamily(family: 4 | 6): IpRange {
  return { family, first: 0n, last: (1n << BigInt(BITS[family])) - 1n };
}

/** The range of a CIDR such as `10.0.0.0/8` or `fd00::/8`; a clear error for anything else. */
export function parseCidr(cidr: string): IpRange {
  const [address, bitsText, ...rest] = cidr.split('/');
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  const bits = Number(bitsText);
  if (!family || rest.length > 0 || !/^\d+$/.test(bitsText ?? '') || bits > BITS[family]) {
    throw new Error(`"${cidr}" is not a CIDR such as 10.0.0.0/8`);
  }
  const hostBits = BigInt(BITS[family] - bits);
  const first = (toBigInt(address, family) >> hostBits) << hostBits;
  return { family, first, last: first + (1n << hostBits) - 1n };
}

/** `0.0.0.0-255.255.255.255`, the way netpol-analyzer names an address range. */
export function formatRange(range: IpRange): string {
  return `${formatAddress(range.first, range.family)}-${formatAddress(range.last, range.family)}`;
}

/** Whether `inner` lies within `outer`. */
export function within(inner: IpRange, outer: IpRange): boolean {
  return inner.family === outer.family && inner.first >= outer.first && inner.last <= outer.last;
}

/**
 * Splits the whole address space of the given families at every boundary of `cidrs`, so that each piece
 * lies either wholly inside or wholly outside each CIDR: the pieces are the distinct external peers.
 */
export function atomicRanges(cidrs: readonly IpRange[], families: ReadonlySet<4 | 6>): IpRange[] {
  return [...families].sort().flatMap((family) => {
    const whole = wholeFamily(family);
    const cuts = new Set<bigint>([whole.first]);
    for (const c of cidrs.filter((r) => r.family === family)) {
      cuts.add(c.first);
      if (c.last < whole.last) cuts.add(c.last + 1n);
    }
    const starts = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return starts.map((first, i) => ({ family, first, last: i + 1 < starts.length ? starts[i + 1] - 1n : whole.last }));
  });
}

/** Joins adjacent ranges, for printing a set of pieces as few ranges. */
export function mergeRanges(ranges: readonly IpRange[]): IpRange[] {
  const out: IpRange[] = [];
  for (const r of [...ranges].sort(
    (a, b) => a.family - b.family || (a.first < b.first ? -1 : a.first > b.first ? 1 : 0),
  )) {
    const last = out[out.length - 1];
    if (last && last.family === r.family && last.last + 1n === r.first) out[out.length - 1] = { ...last, last: r.last };
    else out.push(r);
  }
  return out;
}

function toBigInt(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((n, octet) => (n << 8n) + BigInt(Number(octet)), 0n);
  // Expand `::` and a trailing dotted quad into eight 16-bit groups.
  let text = address;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const n = toBigInt(quad[1], 4);
    text = `${text.slice(0, -quad[1].length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  return groups.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
}

function formatAddress(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => ((n >> shift) & 0xffn).toString()).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups (two or more) becomes `::`, as RFC 5952 writes it.
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** Whether two ranges share an address. */
export function overlaps(a: IpRange, b: IpRange): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}
