/**
 * Where a run's data came from: the directory the data set was read from and, for each file in it, its size and
 * sha256 (subdirectories, as in an image folder, by their file count). Recorded in config.json and so in
 * results.json (`config.dataSource`): a result says which bytes it was computed on, and a resume on other data is
 * refused as a configuration change.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DataSource {
  dataset: string;
  path: string;
  files: { name: string; bytes: number; sha256: string }[];
  folders: { name: string; files: number }[];
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true }))
    n += e.isDirectory() ? countFiles(join(dir, e.name)) : e.isFile() ? 1 : 0;
  return n;
}

export function describeDataSource(dataset: string, source: string): DataSource {
  const path = resolve(source);
  const files: DataSource['files'] = [];
  const folders: DataSource['folders'] = [];
  const entries = statSync(path).isDirectory()
    ? readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))
    : [];
  for (const e of entries) {
    const p = join(path, e.name);
    if (e.isDirectory()) folders.push({ name: e.name, files: countFiles(p) });
    else if (e.isFile())
      files.push({
        name: e.name,
        bytes: statSync(p).size,
        sha256: createHash('sha256').update(readFileSync(p)).digest('hex'),
      });
  }
  return { dataset, path, files, folders };
}
