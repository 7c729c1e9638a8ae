/** What a row hands back, how the table is printed, and what `bench/results.json` holds. */
import { cpus, totalmem } from 'node:os';

/** One measured number with its unit. */
export interface Figure {
  label: string;
  value: number;
  unit: string;
}

/** The row's headline ratio against its goal. */
export interface Verdict {
  /** What the ratio is, e.g. "Latch µs / aws-jwt-verify µs". */
  ratioLabel: string;
  ratio: number;
  /** The goal in words, e.g. "≤ 1.5×". */
  goal: string;
  pass: boolean;
}

export interface RowResult {
  row: number;
  title: string;
  figures: Figure[];
  /** Absent for rows that only report (no goal). */
  verdicts: Verdict[];
  /** Configurations, assumptions and explanations of a miss. */
  notes: string[];
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function machine(): Machine {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** A number with as many decimals as make sense for its size. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 1000 || Number.isInteger(value) ? 0 : abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : abs >= 0.01 ? 3 : 6;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export const verdictText = (v: Verdict) => (v.pass ? 'PASS' : 'MISS');

/** Each row as a block of aligned lines, then a summary table of every goal. */
export function renderTable(rows: RowResult[], header: string): string {
  const out: string[] = [header, ''];
  for (const row of rows) {
    out.push(`── ${row.row}. ${row.title} ${'─'.repeat(Math.max(3, 86 - row.title.length))}`);
    const width = Math.max(...row.figures.map((f) => f.label.length), 10);
    for (const f of row.figures) out.push(`   ${f.label.padEnd(width)}  ${formatNumber(f.value).padStart(14)} ${f.unit}`);
    for (const v of row.verdicts) out.push(`   ⇒ ${v.ratioLabel}: ${formatNumber(v.ratio)}   goal ${v.goal}   ${verdictText(v)}`);
    for (const note of row.notes) out.push(`   · ${note}`);
    out.push('');
  }
  const goals = rows.flatMap((row) => row.verdicts.map((v) => ({ row: row.row, v })));
  if (goals.length) {
    const w = Math.max(...goals.map((g) => g.v.ratioLabel.length));
    out.push('Summary', `   row  ${'measure'.padEnd(w)}  ${'value'.padStart(10)}  ${'goal'.padEnd(12)}  result`);
    for (const { row, v } of goals) {
      out.push(`   ${String(row).padStart(3)}  ${v.ratioLabel.padEnd(w)}  ${formatNumber(v.ratio).padStart(10)}  ${v.goal.padEnd(12)}  ${verdictText(v)}`);
    }
  }
  return out.join('\n');
}

export interface Results {
  date: string;
  machine: Machine;
  options: { quick: boolean; scale: number; rows: number[] };
  durationSeconds: number;
  rows: RowResult[];
}
