/**
 * What a browser app gets from `import … from '@norga/norga'` (and @norga/vit, @norga/datasets): each package
 * bundled by esbuild for the browser, as vite and esbuild users do by default (platform 'browser', so the
 * `browser` export condition), must resolve every module without a Node built-in; then the norga bundle runs a
 * NoRGa prefix-attention forward in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) and
 * must give the same numbers as the Node entries on the CPU. Needs the packages built (`pnpm build`).
 * Without chromium the tab test is skipped with a printed reason, and fails instead when REQUIRE_WEBGPU=1 (CI).
 */
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as N from '@norga/norga';
import * as T from '@norga/tensor';
import * as V from '@norga/vit';
import { build, type Message } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibratedTimeout } from '../../scripts/test-timeout.mjs';
// @ts-expect-error: plain JS shared with the page (no declaration file)
import { norgaSmoke } from '../browser/smoke.js';
import { chromiumProblem, startTab, type Tab } from './browser-tab.js';

const examples = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(examples, '..');

/** Each package's browser graph: the file the `browser` condition must pick. */
const ENTRIES = {
  '@norga/norga': 'packages/norga/dist/browser.js',
  '@norga/vit': 'packages/vit/dist/index.js',
  '@norga/datasets': 'packages/datasets/dist/browser.js',
} as const;

interface Bundle {
  errors: string[];
  inputs: string[];
  code: string;
}

/** Bundles `contents` (an ES module in examples/) for the browser; errors are returned, not thrown. */
async function bundleForBrowser(contents: string): Promise<Bundle> {
  const text = (m: Message) => `${m.location ? `${m.location.file}: ` : ''}${m.text}`;
  try {
    const r = await build({
      stdin: { contents, resolveDir: examples, sourcefile: 'entry.js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return {
      errors: [],
      inputs: Object.keys(r.metafile.inputs).map((f) => relative(root, join(examples, f))),
      code: r.outputFiles[0]!.text,
    };
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (!errors) throw e;
    return { errors: errors.map(text), inputs: [], code: '' };
  }
}

describe('browser bundles (esbuild, platform browser)', () => {
  for (const [name, entry] of Object.entries(ENTRIES)) {
    it(`${name} bundles with no Node built-in and no missing module`, async () => {
      const b = await bundleForBrowser(`export * from '${name}';`);
      expect(b.errors).toEqual([]);
      expect(b.inputs).toContain(entry);
      // The Node-only folders and entries stay out of the graph, not merely unresolved.
      const nodeOnly = /\/(cli|node)\.js$|^packages\/(norga|datasets)\/dist\/index\.js$/;
      expect(b.inputs.filter((f) => nodeOnly.test(f))).toEqual([]);
    });
  }

  it('fails on the Node entry of @norga/norga (the check can fail)', async () => {
    const b = await bundleForBrowser(`export * from '${join(root, 'packages/norga/dist/index.js')}';`);
    // (tsup's build drops the `node:` prefix: `fs`, `path`, … are what a bundler meets.)
    expect(b.errors.filter((e) => /Could not resolve "(node:)?fs"/.test(e)).length).toBeGreaterThan(0);
  });
});

const problem = chromiumProblem('the browser bundle test in Chromium');

describe.runIf(problem === null)('the @norga/norga browser bundle in headless Chromium', () => {
  let tab: Tab;

  beforeAll(async () => {
    const b = await bundleForBrowser(
      [
        "import * as N from '@norga/norga';",
        "import * as V from '@norga/vit';",
        "import * as T from '@norga/tensor';",
        "import { norgaSmoke } from './browser/smoke.js';",
        'window.smoke = () => norgaSmoke({ N, V, T });',
        'window.ready = true;',
      ].join('\n'),
    );
    expect(b.errors).toEqual([]);
    const page = '<!doctype html><meta charset="utf-8"><script type="module" src="/bundle.js"></script>';
    tab = await startTab((req, res) => {
      const js = req.url === '/bundle.js';
      res.setHeader('content-type', js ? 'text/javascript' : 'text/html');
      res.end(js ? b.code : page);
    });
  });

  afterAll(() => tab?.close());

  it('a NoRGa prefix-attention forward on the CPU equals the Node result exactly', async () => {
    const { page, logs } = await tab.open();
    await page
      .waitForFunction('window.ready === true', undefined, { timeout: calibratedTimeout(60_000) })
      .catch(() => {
        throw new Error(`the page did not load the bundle:\n${logs.join('\n')}`);
      });
    const inTab = await page.evaluate('window.smoke()').catch((e: Error) => {
      // Stack lines name page URLs, which vitest would try to open as files: report the message and console.
      const err = new Error(
        `in the page: ${e.message.replace(/^\s+at .*$/gm, '').trim()}\n${logs.join('\n')}`,
      );
      err.stack = err.message;
      throw err;
    });
    await page.close();
    const inNode = await norgaSmoke({ N, V, T });
    expect(inNode.shape).toEqual([2, 5, 8]);
    expect(inTab).toEqual(inNode);
  });
});
