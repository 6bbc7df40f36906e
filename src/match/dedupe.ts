// Overlapping inputs: the same row in two files is one record seen twice (a re-export or a
// re-sent file). Within one file, two identical lines are two events. So the number of events
// for a fingerprint is the largest count in any single file, and the rest are duplicate exports.
import type { CanonicalRecord } from '../model.js';
import { canonicalCompare, recordFingerprint } from './keys.js';

export interface DedupeResult {
  kept: CanonicalRecord[];
  /** Each dropped copy with the kept record it repeats. */
  duplicates: { record: CanonicalRecord; of: CanonicalRecord }[];
}

export function dedupeAcrossFiles(records: CanonicalRecord[]): DedupeResult {
  // One input file cannot repeat another: skip fingerprinting every row (large single exports).
  const firstFile = records[0]?.source.file;
  if (records.every((r) => r.source.file === firstFile)) return { kept: [...records].sort(canonicalCompare), duplicates: [] };
  const groups = new Map<string, CanonicalRecord[]>();
  for (const r of records) {
    const key = recordFingerprint(r);
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const kept: CanonicalRecord[] = [];
  const duplicates: DedupeResult['duplicates'] = [];
  for (const group of groups.values()) {
    if (group.length === 1) {
      kept.push(group[0]);
      continue;
    }
    const byFile = new Map<string, CanonicalRecord[]>();
    for (const r of group) {
      const list = byFile.get(r.source.file);
      if (list) list.push(r);
      else byFile.set(r.source.file, [r]);
    }
    // Keep the file with the most copies; ties go to the shortest, then smallest file name, so
    // the choice does not depend on the order the files were given in.
    // A re-sent copy usually has the longer name ("…(1).csv", "…-resent.csv"): prefer the shorter.
    const files = [...byFile.entries()].sort(
      (a, b) => b[1].length - a[1].length || a[0].length - b[0].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
    );
    const keepers = files[0][1].sort(canonicalCompare);
    for (const k of keepers) kept.push(k);
    for (const [, list] of files.slice(1)) {
      list.sort(canonicalCompare);
      list.forEach((r, i) => duplicates.push({ record: r, of: keepers[Math.min(i, keepers.length - 1)] }));
    }
  }
  kept.sort(canonicalCompare);
  return { kept, duplicates };
}
