#!/usr/bin/env node
// Keeps the line links of the docs honest while the code moves under them.
//
//   node scripts/check-tour-links.mjs [--fix] [--root DIR] [file.md ...]   (default: docs/TOUR.md docs/ARCHITECTURE.md)
//
// A link with a line anchor, [`export function gelu`](../packages/tensor/src/ops/math.ts#L188), must name what
// it points at: the text of its first code span (here `export function gelu`) has to appear on the linked line
// or on one of the 3 after it (a doc comment or a decorator may sit in between). A range #L10-L20 is checked at
// its first line. Links without an anchor must point to a file or folder that exists. Exits 1 listing every
// broken link; with --fix it first moves each anchor to the line holding its text (the nearest one to the old
// line when several do) and rewrites the file, failing only where no line holds the text. No link may leave the
// repository (--root, for the checker's own test: the folder links must stay inside).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_FILES = ['docs/TOUR.md', 'docs/ARCHITECTURE.md'];
/** Lines after the anchor that may still hold the symbol. */
const SLACK = 3;

// [text](target) where target is a relative path, optionally with #Lstart or #Lstart-Lend
const LINK = /\[((?:[^\]`]|`[^`]*`)+)\]\(([^)\s#]+)(?:#L(\d+)(?:-L(\d+))?)?\)/g;

const lineHolding = (lines, needle, line) => {
  for (let i = line - 1; i < Math.min(lines.length, line + SLACK); i++)
    if (lines[i]?.includes(needle)) return true;
  return false;
};

/** Lines (1-based) that hold the needle, nearest to `near` first. */
function candidates(lines, needle, near) {
  const found = [];
  for (const [i, l] of lines.entries()) if (l.includes(needle)) found.push(i + 1);
  return found.sort((a, b) => Math.abs(a - near) - Math.abs(b - near));
}

/**
 * Checks (and with fix, repairs) the links of one Markdown file. Returns the problems left, each a line of
 * text, and the number of anchors moved.
 */
export function checkFile(mdPath, { fix = false, root = ROOT } = {}) {
  const text = readFileSync(mdPath, 'utf8');
  const problems = [];
  let moved = 0;
  const sources = new Map();
  const read = (p) => {
    if (!sources.has(p)) sources.set(p, readFileSync(p, 'utf8').split('\n'));
    return sources.get(p);
  };
  const mdLineOf = (index) => text.slice(0, index).split('\n').length;
  const out = text.replace(LINK, (whole, label, target, start, end, index) => {
    if (/^[a-z]+:/i.test(target)) return whole; // http:, mailto:: not ours to check
    const where = `${relative(root, mdPath)}:${mdLineOf(index)}`;
    const file = resolve(dirname(mdPath), target);
    if (!file.startsWith(`${root}/`)) {
      problems.push(`${where}: ${target} is outside the repository`);
      return whole;
    }
    if (!existsSync(file)) {
      problems.push(`${where}: ${target} does not exist`);
      return whole;
    }
    if (start === undefined) return whole;
    const needle = /`([^`]+)`/.exec(label)?.[1];
    if (needle === undefined) {
      problems.push(`${where}: a line link needs the symbol it points at in a code span: [${label}]`);
      return whole;
    }
    if (statSync(file).isDirectory()) {
      problems.push(`${where}: ${target} is a folder, it has no lines`);
      return whole;
    }
    const lines = read(file);
    const line = Number(start);
    if (lineHolding(lines, needle, line)) return whole;
    const best = fix ? candidates(lines, needle, line)[0] : undefined;
    if (best === undefined) {
      const hint = candidates(lines, needle, line)[0];
      problems.push(
        `${where}: \`${needle}\` is not at ${target}#L${line}` +
          (hint === undefined ? ' nor anywhere in that file' : ` (it is at line ${hint}: --fix moves it)`),
      );
      return whole;
    }
    moved++;
    const range = end === undefined ? '' : `-L${best + Number(end) - line}`;
    return `[${label}](${target}#L${best}${range})`;
  });
  if (fix && moved > 0) writeFileSync(mdPath, out);
  return { problems, moved };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const fix = args.includes('--fix');
  const at = args.indexOf('--root');
  const root = at < 0 ? ROOT : resolve(args[at + 1] ?? '.');
  const files = args.filter((a, i) => a !== '--fix' && (at < 0 || (i !== at && i !== at + 1)));
  let failed = 0;
  for (const f of files.length > 0 ? files : DEFAULT_FILES.map((d) => join(ROOT, d))) {
    const { problems, moved } = checkFile(resolve(f), { fix, root });
    if (moved > 0) console.log(`${relative(root, resolve(f))}: moved ${moved} anchor(s)`);
    for (const p of problems) console.error(p);
    failed += problems.length;
  }
  if (failed > 0) {
    console.error(
      `${failed} broken link(s)${fix ? '' : '; node scripts/check-tour-links.mjs --fix moves anchors'}`,
    );
    process.exitCode = 1;
  }
}
