import type { TrafficProtocol } from '../manifest/needs';

export type { TrafficProtocol };

/** Sorted as netpol-analyzer prints them. */
export const PROTOCOLS: readonly TrafficProtocol[] = ['SCTP', 'TCP', 'UDP'];

const MIN_PORT = 1;
const MAX_PORT = 65535;

/** A closed range of ports. */
type Range = readonly [number, number];

/**
 * A set of connections: for each protocol, a set of port ranges. Immutable; every operation returns a
 * new set. This is what one allowed connection carries, and what a policy rule allows.
 */
export class ConnectionSet {
  /** No connection at all. */
  static readonly NONE = new ConnectionSet(new Map());
  /** Every port of every protocol: netpol-analyzer's `All Connections`. */
  static readonly ALL = new ConnectionSet(new Map(PROTOCOLS.map((p) => [p, [[MIN_PORT, MAX_PORT] as Range]])));

  /** Ports `from`..`to` (inclusive) of one protocol; every port when `from` is unset. */
  static ports(protocol: TrafficProtocol, from?: number, to: number | undefined = from): ConnectionSet {
    const range: Range = from === undefined ? [MIN_PORT, MAX_PORT] : [from, to ?? from];
    return new ConnectionSet(new Map([[protocol, normalize([range])]]));
  }

  private constructor(private readonly byProtocol: ReadonlyMap<TrafficProtocol, readonly Range[]>) {}

  get isEmpty(): boolean {
    return this.byProtocol.size === 0;
  }

  get isAll(): boolean {
    return this.equals(ConnectionSet.ALL);
  }

  union(other: ConnectionSet): ConnectionSet {
    return this.combine(other, (a, b) => normalize([...a, ...b]));
  }

  intersect(other: ConnectionSet): ConnectionSet {
    return this.combine(other, (a, b) =>
      a.flatMap(([lo, hi]) =>
        b.flatMap(([lo2, hi2]): Range[] =>
          Math.max(lo, lo2) <= Math.min(hi, hi2) ? [[Math.max(lo, lo2), Math.min(hi, hi2)]] : [],
        ),
      ),
    );
  }

  /** The connections of this set that are not in `other`. */
  minus(other: ConnectionSet): ConnectionSet {
    return this.combine(other, (a, b) =>
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
    );
  }

  /** Whether every connection of `other` is in this set. */
  contains(other: ConnectionSet): boolean {
    return this.intersect(other).equals(other);
  }

  equals(other: ConnectionSet): boolean {
    return this.toString() === other.toString();
  }

  /** netpol-analyzer's notation: `All Connections`, `No Connections`, or `TCP 80,8080-8090,UDP 53`. */
  toString(): string {
    if (this.isEmpty) return 'No Connections';
    if (PROTOCOLS.every((p) => (this.byProtocol.get(p) ?? []).some(([lo, hi]) => lo === MIN_PORT && hi === MAX_PORT)))
      return 'All Connections';
    return PROTOCOLS.filter((p) => this.byProtocol.has(p))
      .map(
        (p) =>
          `${p} ${this.byProtocol
            .get(p)!
            .map(([lo, hi]) => (lo === hi ? `${lo}` : `${lo}-${hi}`))
            .join(',')}`,
      )
      .join(',');
  }

  private combine(other: ConnectionSet, op: (a: readonly Range[], b: readonly Range[]) => Range[]): ConnectionSet {
    const out = new Map<TrafficProtocol, readonly Range[]>();
    for (const p of PROTOCOLS) {
      const ranges = normalize(op(this.byProtocol.get(p) ?? [], other.byProtocol.get(p) ?? []));
      if (ranges.length > 0) out.set(p, ranges);
    }
    return new ConnectionSet(out);
  }
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
