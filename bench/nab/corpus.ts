/**
 * Reading the NAB corpus (../shared/data/nab by default): the data files, their labelled anomaly
 * windows and the scoring profiles. See that directory's README.md for the layout.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface NabFile {
  /** `<category>/<file>.csv`, the key used by the label files. */
  key: string;
  category: string;
  /** File name without `.csv`. */
  name: string;
  /** The timestamps exactly as written in the file (`YYYY-MM-DD HH:MM:SS`). */
  stamps: string[];
  /** The same timestamps as epoch milliseconds (read as UTC: the files carry no time zone). */
  ts: Float64Array;
  values: Float64Array;
  /** Each labelled window as inclusive row indexes `[left, right]`, in time order. */
  windows: Array<[number, number]>;
}

export interface CostMatrix {
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

export type Profiles = Record<string, CostMatrix>;

/** Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC epoch milliseconds. */
export function parseStamp(stamp: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(stamp);
  if (!m) throw new Error(`bad timestamp: ${stamp}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** Lists `<category>/<file>.csv` keys under `<dataDir>/data`, sorted. */
export function listFiles(dataDir: string): string[] {
  const root = join(dataDir, 'data');
  const keys: string[] = [];
  for (const category of readdirSync(root, { withFileTypes: true })) {
    if (!category.isDirectory()) continue;
    for (const file of readdirSync(join(root, category.name))) {
      if (file.endsWith('.csv')) keys.push(`${category.name}/${file}`);
    }
  }
  return keys.sort();
}

export function readWindows(dataDir: string): Record<string, Array<[string, string]>> {
  return JSON.parse(readFileSync(join(dataDir, 'labels', 'combined_windows.json'), 'utf8'));
}

export function readProfiles(dataDir: string): Profiles {
  const raw = JSON.parse(readFileSync(join(dataDir, 'profiles.json'), 'utf8')) as Record<
    string,
    { CostMatrix: CostMatrix }
  >;
  const profiles: Profiles = {};
  for (const [name, p] of Object.entries(raw)) {
    const { tpWeight, fnWeight, fpWeight } = p.CostMatrix;
    profiles[name] = { tpWeight, fnWeight, fpWeight };
  }
  return profiles;
}

/**
 * Loads one data file and maps its windows to row indexes. NAB's windows start and end on
 * timestamps present in the file; should one not, the window is taken as the rows inside it.
 */
export function readFile(dataDir: string, key: string, windows: Array<[string, string]>): NabFile {
  const text = readFileSync(join(dataDir, 'data', key), 'utf8');
  const lines = text.split(/\r?\n/);
  const stamps: string[] = [];
  const valueList: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const comma = line.indexOf(',');
    stamps.push(line.slice(0, comma));
    valueList.push(Number(line.slice(comma + 1)));
  }
  const ts = Float64Array.from(stamps, parseStamp);
  const rows: Array<[number, number]> = [];
  for (const [start, end] of windows) {
    const a = parseStamp(start);
    const b = parseStamp(end);
    let left = -1;
    let right = -1;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      if (t >= a && left < 0) left = i;
      if (t <= b) right = i;
    }
    if (left >= 0 && right >= left) rows.push([left, right]);
  }
  rows.sort((x, y) => x[0] - y[0]);
  const slash = key.indexOf('/');
  return {
    key,
    category: key.slice(0, slash),
    name: key.slice(slash + 1).replace(/\.csv$/, ''),
    stamps,
    ts,
    values: Float64Array.from(valueList),
    windows: rows,
  };
}
