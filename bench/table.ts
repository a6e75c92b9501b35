// The one table `npm run bench` prints: figure, target, measured median (min–max), ratio to nmap,
// and whether the target is met.

export interface Row {
  figure: string;
  target: string;
  measured: string;
  nmap: string;
  /** null when the figure could not be measured. */
  met: boolean | null;
}

export function renderTable(rows: Row[]): string {
  const header: Row = {
    figure: 'Figure',
    target: 'Target',
    measured: 'Measured: median (min–max)',
    nmap: 'vs nmap',
    met: null,
  };
  const cells = (row: Row, isHeader = false): string[] => [
    row.figure,
    row.target,
    row.measured,
    row.nmap,
    isHeader ? 'Met' : row.met === null ? 'not run' : row.met ? 'yes' : 'NO',
  ];
  const all = [cells(header, true), ...rows.map((row) => cells(row))];
  const widths = all[0]!.map((_, column) => Math.max(...all.map((line) => [...line[column]!].length)));
  const line = (values: string[]) =>
    `| ${values.map((value, column) => value + ' '.repeat(widths[column]! - [...value].length)).join(' | ')} |`;
  const rule = `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`;
  return [line(all[0]!), rule, ...all.slice(1).map(line)].join('\n');
}
