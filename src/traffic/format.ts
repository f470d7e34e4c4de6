import { Connection, Endpoint, formatConnection } from './analyze';
import { ExposureLine, ExposureReport } from './exposure';

/** The output formats of `traffic`, netpol-analyzer's set. */
export const TRAFFIC_FORMATS = ['txt', 'json', 'md', 'csv', 'dot', 'mermaid'] as const;
export type TrafficFormat = (typeof TRAFFIC_FORMATS)[number];

/** A connection as the tabular formats print it. */
interface ConnectionRow {
  readonly src: string;
  readonly dst: string;
  readonly conn: string;
}

function rowOf(c: Connection): ConnectionRow {
  return { src: c.src.name, dst: c.dst.name, conn: c.conn.toString() };
}

/** A connection list in one of the formats; each ends with a newline. */
export function formatConnections(connections: readonly Connection[], format: TrafficFormat): string {
  return [...formatConnectionParts(connections, format)].join('');
}

/**
 * The same text as {@link formatConnections}, in parts, reading the connections once: the tabular
 * formats never hold the whole list, so a list quadratic in the workloads can be written as it comes.
 * The graphs need every node first.
 */
export function* formatConnectionParts(connections: Iterable<Connection>, format: TrafficFormat): Generator<string> {
  const rows = (function* () {
    for (const c of connections) yield rowOf(c);
  })();
  switch (format) {
    case 'txt':
      for (const c of connections) yield `${formatConnection(c)}\n`;
      return;
    case 'json': {
      // JSON.stringify(rows, null, 2), one row at a time.
      let first = true;
      for (const r of rows) {
        yield `${first ? '[\n' : ',\n'}${JSON.stringify(r, null, 2).replace(/^/gm, '  ')}`;
        first = false;
      }
      yield first ? '[]\n' : '\n]\n';
      return;
    }
    case 'md':
      yield* markdownTable(['src', 'dst', 'conn'], mapRows(rows));
      return;
    case 'csv':
      yield* csv(['src', 'dst', 'conn'], mapRows(rows));
      return;
    case 'dot':
      yield dot([...connections]);
      return;
    case 'mermaid':
      yield mermaid([...connections]);
      return;
  }
}

/**
 * A connection list followed by an exposure analysis, as netpol-analyzer's `--exposure` prints them:
 * in txt its exact section (`Exposure Analysis Result:`, `Egress Exposure:` lines `workload => peer`,
 * `Ingress Exposure:` lines `workload <= peer`, the workloads not protected); in json an object of
 * `connlist_results` and `exposure_results`; in md and csv a section after the table; in the graphs,
 * edges with the exposure peers that are not addresses (those are in the list already).
 */
export function* formatExposureParts(
  connections: Iterable<Connection>,
  report: ExposureReport,
  format: TrafficFormat,
): Generator<string> {
  const egressRow = (l: ExposureLine) => [l.workload, l.peer, l.conn.toString()];
  const ingressRow = (l: ExposureLine) => [l.peer, l.workload, l.conn.toString()];
  switch (format) {
    case 'txt': {
      let any = false;
      for (const part of formatConnectionParts(connections, format)) {
        any = true;
        yield part;
      }
      yield `${any ? '\n' : ''}${exposureText(report)}`;
      return;
    }
    case 'json': {
      // netpol-analyzer writes an empty exposure list as null (a nil Go slice), an empty connection list as [].
      const json = (rows: string[][]) => rows.map(([src, dst, conn]) => ({ src, dst, conn }));
      const orNull = <T>(list: T[]) => (list.length > 0 ? list : null);
      yield `${JSON.stringify(
        {
          connlist_results: json([...connections].map((c) => [c.src.name, c.dst.name, c.conn.toString()])),
          exposure_results: {
            egress_exposure: orNull(json(report.egress.map(egressRow))),
            ingress_exposure: orNull(json(report.ingress.map(ingressRow))),
          },
        },
        null,
        2,
      )}\n`;
      return;
    }
    case 'md': {
      yield* formatConnectionParts(connections, format);
      yield '\n## Exposure Analysis Result:\n';
      if (report.egress.length > 0)
        yield* ['### Egress Exposure:\n', ...markdownTable(['src', 'dst', 'conn'], report.egress.map(egressRow))];
      if (report.ingress.length > 0)
        yield* [
          '### Ingress Exposure:\n',
          ...markdownTable(
            ['dst', 'src', 'conn'],
            report.ingress.map((l) => [l.workload, l.peer, l.conn.toString()]),
          ),
        ];
      return;
    }
    case 'csv': {
      yield* formatConnectionParts(connections, format);
      const rows: string[][] = [['Exposure Analysis Result:', '', '']];
      if (report.egress.length > 0)
        rows.push(['Egress Exposure:', '', ''], ['src', 'dst', 'conn'], ...report.egress.map(egressRow));
      if (report.ingress.length > 0)
        rows.push(
          ['Ingress Exposure:', '', ''],
          ['dst', 'src', 'conn'],
          ...report.ingress.map((l) => [l.workload, l.peer, l.conn.toString()]),
        );
      // The rows after the first line of csv() (its header).
      yield* [...csv(rows[0], rows.slice(1))];
      return;
    }
    case 'dot':
    case 'mermaid': {
      const ends = new Map<string, Endpoint>();
      const edges: Connection[] = [];
      const add = (l: ExposureLine, ingress: boolean) => {
        // Address peers are in the connection list already.
        if (l.isAddress) return;
        const peer = ends.get(l.peer) ?? { type: 'exposure', name: l.peer };
        ends.set(l.peer, peer);
        edges.push(ingress ? { src: peer, dst: l.end, conn: l.conn } : { src: l.end, dst: peer, conn: l.conn });
      };
      for (const l of report.egress) add(l, false);
      for (const l of report.ingress) add(l, true);
      const all = [...connections, ...edges];
      yield format === 'dot' ? dot(all) : mermaid(all);
      return;
    }
  }
}

/** netpol-analyzer's txt exposure section; the workloads padded to one width, then a space and a tab. */
export function exposureText(report: ExposureReport): string {
  const width = Math.max(0, ...[...report.egress, ...report.ingress].map((l) => l.workload.length));
  const lines = (list: readonly ExposureLine[], arrow: string) =>
    list.map((l) => `${l.workload.padEnd(width)} \t${arrow} \t${l.peer} : ${l.conn}\n`).join('');
  let out = 'Exposure Analysis Result:\n';
  if (report.egress.length > 0) out += `Egress Exposure:\n${lines(report.egress, '=>')}`;
  if (report.ingress.length > 0)
    out += `${report.egress.length > 0 ? '\n' : ''}Ingress Exposure:\n${lines(report.ingress, '<=')}`;
  if (report.unprotected.length > 0) {
    out += `\nWorkloads not protected by network policies:\n${report.unprotected.map((u) => `${u.workload} is not protected on ${u.direction}\n`).join('')}`;
  }
  return out;
}

function* mapRows(rows: Iterable<ConnectionRow>): Generator<readonly string[]> {
  for (const r of rows) yield [r.src, r.dst, r.conn];
}

function* markdownTable(header: readonly string[], rows: Iterable<readonly string[]>): Generator<string> {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |\n`;
  yield line(header) + `|${header.map(() => '-----').join('|')}|\n`;
  for (const r of rows) yield line(r);
}

/** RFC 4180: fields with a comma, a quote or a line break are quoted, quotes doubled. */
function* csv(header: readonly string[], rows: Iterable<readonly string[]>): Generator<string> {
  const field = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  yield `${header.map(field).join(',')}\n`;
  for (const r of rows) yield `${r.map(field).join(',')}\n`;
}

/** Nodes grouped by namespace, in a stable order, with short ids. */
function graphOf(connections: readonly Connection[]) {
  const ends = new Map<string, Endpoint>();
  for (const c of connections) for (const e of [c.src, c.dst]) ends.set(e.name, e);
  const sorted = [...ends.values()].sort((a, b) => a.name.localeCompare(b.name));
  const ids = new Map(sorted.map((e, i) => [e.name, `n${i}`]));
  const byNamespace = new Map<string, Endpoint[]>();
  const outside: Endpoint[] = [];
  for (const e of sorted) {
    if (e.type === 'workload') byNamespace.set(e.namespace, [...(byNamespace.get(e.namespace) ?? []), e]);
    else outside.push(e);
  }
  return { ids, byNamespace, outside };
}

/** Inside a namespace's box a workload is `name[Kind]`; everything else keeps its full name. */
function shortName(e: Endpoint): string {
  return e.type === 'workload' ? `${e.workload.name}[${e.workload.kind}]` : e.name;
}

function dot(connections: readonly Connection[]): string {
  const { ids, byNamespace, outside } = graphOf(connections);
  const q = (s: string) => JSON.stringify(s);
  const lines = ['digraph {'];
  [...byNamespace].forEach(([ns, ends], i) => {
    lines.push(`\tsubgraph cluster_${i} {`);
    for (const e of ends) lines.push(`\t\t${ids.get(e.name)} [label=${q(shortName(e))} color="blue" fontcolor="blue"]`);
    lines.push(`\t\tlabel=${q(ns)}`, '\t}');
  });
  const shape = (e: Endpoint) => (e.type === 'ip' ? 'box' : e.type === 'exposure' ? 'diamond' : 'ellipse');
  for (const e of outside)
    lines.push(`\t${ids.get(e.name)} [label=${q(e.name)} shape=${shape(e)} color="red2" fontcolor="red2"]`);
  for (const c of connections)
    lines.push(
      `\t${ids.get(c.src.name)} -> ${ids.get(c.dst.name)} [label=${q(c.conn.toString())} color="gold2" fontcolor="darkgreen"]`,
    );
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * A mermaid flowchart. Every label is quoted, and the characters mermaid would still read inside
 * quotes (`"`, and `<`/`>` which it takes for HTML) are written as entity codes, so that any name parses.
 */
function mermaid(connections: readonly Connection[]): string {
  const { ids, byNamespace, outside } = graphOf(connections);
  const lines = ['flowchart LR'];
  [...byNamespace].forEach(([ns, ends], i) => {
    lines.push(`  subgraph ns${i}["namespace ${mermaidText(ns)}"]`);
    for (const e of ends) lines.push(`    ${ids.get(e.name)}["${mermaidText(shortName(e))}"]`);
    lines.push('  end');
  });
  for (const e of outside) {
    const label = `"${mermaidText(e.name)}"`;
    lines.push(
      `  ${ids.get(e.name)}${e.type === 'ip' ? `[(${label})]` : e.type === 'exposure' ? `{${label}}` : `([${label}])`}`,
    );
  }
  for (const c of connections)
    lines.push(`  ${ids.get(c.src.name)} -->|"${mermaidText(c.conn.toString())}"| ${ids.get(c.dst.name)}`);
  return `${lines.join('\n')}\n`;
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/** A change between two connection lists. */
export interface ConnectionChange {
  readonly change: 'added' | 'removed' | 'changed';
  readonly src: string;
  readonly dst: string;
  /** What the base allowed (unset when added). */
  readonly before?: string;
  /** What is allowed now (unset when removed). */
  readonly after?: string;
}

/** What `after` allows that `before` did not, and the reverse, per pair of ends. */
export function diffConnections(before: readonly Connection[], after: readonly Connection[]): ConnectionChange[] {
  const key = (r: ConnectionRow) => `${r.src}\u0000${r.dst}`;
  const old = new Map(before.map((c) => [key(rowOf(c)), rowOf(c)]));
  const now = new Map(after.map((c) => [key(rowOf(c)), rowOf(c)]));
  const out: ConnectionChange[] = [];
  for (const [k, r] of now) {
    const was = old.get(k);
    if (!was) out.push({ change: 'added', src: r.src, dst: r.dst, after: r.conn });
    else if (was.conn !== r.conn)
      out.push({ change: 'changed', src: r.src, dst: r.dst, before: was.conn, after: r.conn });
  }
  for (const [k, r] of old) if (!now.has(k)) out.push({ change: 'removed', src: r.src, dst: r.dst, before: r.conn });
  return out.sort((a, b) => a.src.localeCompare(b.src) || a.dst.localeCompare(b.dst));
}

/** The formats a diff is printed in: the tabular ones. */
export const DIFF_FORMATS: readonly TrafficFormat[] = ['txt', 'json', 'md', 'csv'];

/** A diff: `+`/`-` lines in txt (a changed pair is both), rows elsewhere. */
export function formatDiff(changes: readonly ConnectionChange[], format: TrafficFormat): string {
  const rows = changes.map((c) => [c.change, c.src, c.dst, c.before ?? '', c.after ?? '']);
  const header = ['diff-type', 'src', 'dst', 'before', 'after'];
  switch (format) {
    case 'txt':
      return changes
        .map((c) =>
          [
            ...(c.before !== undefined ? [`- ${c.src} => ${c.dst} : ${c.before}\n`] : []),
            ...(c.after !== undefined ? [`+ ${c.src} => ${c.dst} : ${c.after}\n`] : []),
          ].join(''),
        )
        .join('');
    case 'json':
      return `${JSON.stringify(changes, null, 2)}\n`;
    case 'md':
      return [...markdownTable(header, rows)].join('');
    case 'csv':
      return [...csv(header, rows)].join('');
    default:
      throw new Error(`a diff is printed as ${DIFF_FORMATS.join(', ')}, not ${format}`);
  }
}
