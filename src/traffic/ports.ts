import type { TrafficProtocol } from '../manifest/needs';

export type { TrafficProtocol };

/** Sorted as netpol-analyzer prints them. */
export const PROTOCOLS: readonly TrafficProtocol[] = ['SCTP', 'TCP', 'UDP'];

const MIN_PORT = 1;
const MAX_PORT = 65535;

/** A closed range of ports. */
type Range = readonly [number, number];

/**
 * A set of connections: for each protocol, a set of port ranges and, where the ports are unknown, named
 * ports. Immutable; every operation returns a new set. This is what one allowed connection carries, and
 * what a policy rule allows. Named ports only appear where no pod resolves them (the exposure analysis's
 * egress towards peers outside the inputs); a protocol whose every port is allowed has none (it takes
 * them all in).
 */
export class ConnectionSet {
  /** No connection at all. */
  static readonly NONE = new ConnectionSet(new Map(), new Map());
  /** Every port of every protocol: netpol-analyzer's `All Connections`. */
  static readonly ALL = new ConnectionSet(
    new Map(PROTOCOLS.map((p) => [p, [[MIN_PORT, MAX_PORT] as Range]])),
    new Map(),
  );

  /** Ports `from`..`to` (inclusive) of one protocol; every port when `from` is unset. */
  static ports(protocol: TrafficProtocol, from?: number, to: number | undefined = from): ConnectionSet {
    const range: Range = from === undefined ? [MIN_PORT, MAX_PORT] : [from, to ?? from];
    return new ConnectionSet(new Map([[protocol, normalize([range])]]), new Map());
  }

  /** The port named `name` of one protocol, left unresolved (the pods that would give it a number are unknown). */
  static named(protocol: TrafficProtocol, name: string): ConnectionSet {
    return new ConnectionSet(new Map(), new Map([[protocol, [name]]]));
  }

  private constructor(
    private readonly byProtocol: ReadonlyMap<TrafficProtocol, readonly Range[]>,
    /** Sorted by bytes, as netpol-analyzer prints them; never for a protocol whose every port is in the set. */
    private readonly namesByProtocol: ReadonlyMap<TrafficProtocol, readonly string[]>,
  ) {}

  get isEmpty(): boolean {
    return this.byProtocol.size === 0 && this.namesByProtocol.size === 0;
  }

  get isAll(): boolean {
    return this.equals(ConnectionSet.ALL);
  }

  union(other: ConnectionSet): ConnectionSet {
    return this.combine(
      other,
      (a, b) => normalize([...a, ...b]),
      (a, b) => [...a, ...b],
    );
  }

  intersect(other: ConnectionSet): ConnectionSet {
    return this.combine(
      other,
      (a, b) =>
        a.flatMap(([lo, hi]) =>
          b.flatMap(([lo2, hi2]): Range[] =>
            Math.max(lo, lo2) <= Math.min(hi, hi2) ? [[Math.max(lo, lo2), Math.min(hi, hi2)]] : [],
          ),
        ),
      // Every port of a protocol holds its named ports too.
      (a, b, aEvery, bEvery) => [...a.filter((n) => bEvery || b.includes(n)), ...(aEvery ? b : [])],
    );
  }

  /** The connections of this set that are not in `other`. */
  minus(other: ConnectionSet): ConnectionSet {
    return this.combine(
      other,
      (a, b) =>
        a.flatMap(([lo, hi]) => {
          let pieces: Range[] = [[lo, hi]];
          for (const [lo2, hi2] of b) {
            pieces = pieces.flatMap(([l, h]): Range[] =>
              hi2 < l || lo2 > h
                ? [[l, h]]
                : [
                    [l, lo2 - 1],
                    [hi2 + 1, h],
                  ],
            );
          }
          return pieces;
        }),
      (a, b, _aEvery, bEvery) => (bEvery ? [] : a.filter((n) => !b.includes(n))),
    );
  }

  /** This set without its named ports: the ports it is known to allow. */
  withoutNames(): ConnectionSet {
    return new ConnectionSet(this.byProtocol, new Map());
  }

  /** Whether every connection of `other` is in this set. */
  contains(other: ConnectionSet): boolean {
    return this.intersect(other).equals(other);
  }

  equals(other: ConnectionSet): boolean {
    return this.toString() === other.toString();
  }

  /**
   * netpol-analyzer's notation: `All Connections`, `No Connections`, or `TCP 80,8080-8090,http,UDP 53`:
   * for each protocol its port ranges, then its named ports.
   */
  toString(): string {
    if (this.isEmpty) return 'No Connections';
    if (PROTOCOLS.every((p) => isEveryPort(this.byProtocol.get(p)))) return 'All Connections';
    return PROTOCOLS.filter((p) => this.byProtocol.has(p) || this.namesByProtocol.has(p))
      .map((p) => {
        const ranges = (this.byProtocol.get(p) ?? []).map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`));
        return `${p} ${[...ranges, ...(this.namesByProtocol.get(p) ?? [])].join(',')}`;
      })
      .join(',');
  }

  private combine(
    other: ConnectionSet,
    op: (a: readonly Range[], b: readonly Range[]) => Range[],
    namesOp: (a: readonly string[], b: readonly string[], aEvery: boolean, bEvery: boolean) => string[],
  ): ConnectionSet {
    const out = new Map<TrafficProtocol, readonly Range[]>();
    const byName = new Map<TrafficProtocol, readonly string[]>();
    for (const p of PROTOCOLS) {
      const ranges = normalize(op(this.byProtocol.get(p) ?? [], other.byProtocol.get(p) ?? []));
      if (ranges.length > 0) out.set(p, ranges);
      // Go's sort.Strings: by bytes, not locale.
      const names = (set: ConnectionSet) => set.namesByProtocol.get(p) ?? [];
      const every = (set: ConnectionSet) => isEveryPort(set.byProtocol.get(p));
      const named = [...new Set(namesOp(names(this), names(other), every(this), every(other)))].sort((a, b) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      if (named.length > 0 && !isEveryPort(ranges)) byName.set(p, named);
    }
    return new ConnectionSet(out, byName);
  }
}

function isEveryPort(ranges: readonly Range[] | undefined): boolean {
  return (ranges ?? []).some(([lo, hi]) => lo === MIN_PORT && hi === MAX_PORT);
}

/** Sorted, merged, non-empty ranges. */
function normalize(ranges: readonly Range[]): Range[] {
  const sorted = ranges
    .filter(([lo, hi]) => lo <= hi)
    .map(([lo, hi]): [number, number] => [lo, hi])
    .sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}
