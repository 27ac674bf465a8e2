#!/usr/bin/env node
// One command for a machine with a real GPU (under 5 minutes): prints the adapter, runs the WebGPU test suite
// (conformance + golden + WebGPU-specific tests, REQUIRE_WEBGPU=1) and the matmul / ViT-block / dispatch
// benchmark against tfjs-webgpu (matmul up to 4096² on a real GPU, 1024² on a CPU rasteriser; BENCH_SIZES
// overrides), and writes everything to one JSON file.
//
//   pnpm --filter @norga/tensor build && node packages/tensor/scripts/device-check.mjs [--out FILE]
//
// Default output: packages/tensor/bench/results/device-check.json (plus the bench's own
// bench/results/device-check-bench.{md,json}). Exit code 1 if the adapter is missing or any test fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(pkg, 'package.json'));
const argOut = process.argv.indexOf('--out');
const outFile = argOut > 0 ? resolve(process.argv[argOut + 1]) : join(pkg, 'bench/results/device-check.json');
const started = Date.now();
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model,
  cores: cpus().length,
};

function step(name) {
  console.log(`\n== ${name} (${((Date.now() - started) / 1000).toFixed(0)} s in)`);
}

function finish(code) {
  report.totalSeconds = Math.round((Date.now() - started) / 1000);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${outFile} (${report.totalSeconds} s)`);
  process.exit(code);
}

// 1. The adapter, as the `webgpu` package (Dawn) sees it.
step('adapter');
const { create } = await import(require.resolve('webgpu'));
const gpu = create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) {
  report.adapter = null;
  console.log('no WebGPU adapter: install the GPU vendor Vulkan driver (or Mesa lavapipe for a CPU run)');
  finish(1);
}
const info = adapter.info ?? {};
report.adapter = {
  vendor: info.vendor,
  architecture: info.architecture,
  device: info.device,
  description: info.description,
  features: [...adapter.features].sort(),
  limits: Object.fromEntries(
    [
      'maxBufferSize',
      'maxStorageBufferBindingSize',
      'maxComputeWorkgroupStorageSize',
      'maxComputeInvocationsPerWorkgroup',
    ].map((k) => [k, adapter.limits[k]]),
  ),
};
console.log(JSON.stringify(report.adapter, null, 2));
const cpuAdapter = /llvmpipe|lavapipe|swiftshader|software/i.test(
  [info.vendor, info.architecture, info.device, info.description].join(' '),
);
const smi = spawnSync(
  'nvidia-smi',
  ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'],
  { encoding: 'utf8' },
);
if (smi.status === 0) report.nvidiaSmi = smi.stdout.trim();

// 2. The WebGPU suite: the vitest project 'gpu' (one device for the whole run), failing if no adapter.
step('WebGPU test suite (vitest --project gpu, REQUIRE_WEBGPU=1)');
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const jsonOut = join(tmpdir(), `norga-device-check-${process.pid}.json`);
const suite = spawnSync(
  process.execPath,
  [
    vitest,
    'run',
    '--project',
    'gpu',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${jsonOut}`,
  ],
  {
    cwd: pkg,
    env: { ...process.env, REQUIRE_WEBGPU: '1', CI: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 180_000,
  },
);
report.suite = { exitCode: suite.status, timedOut: suite.error?.code === 'ETIMEDOUT' };
if (existsSync(jsonOut)) {
  const r = JSON.parse(readFileSync(jsonOut, 'utf8'));
  report.suite = {
    ...report.suite,
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    total: r.numTotalTests,
  };
  report.suite.failures = r.testResults
    .flatMap((f) =>
      f.assertionResults
        .filter((a) => a.status === 'failed')
        .map((a) => `${a.ancestorTitles.join(' > ')} > ${a.title}`),
    )
    .slice(0, 50);
  rmSync(jsonOut, { force: true });
}

// 3. The benchmark: every matmul version 128..1024 and tfjs-webgpu on the same adapter, a ViT block, dispatch cost.
step('benchmark (bench/webgpu.mjs)');
if (!existsSync(join(pkg, 'dist/index.js'))) {
  report.bench = { error: 'dist/ missing: run `pnpm --filter @norga/tensor build` first' };
} else {
  const bench = spawnSync(process.execPath, ['--expose-gc', join(pkg, 'bench/webgpu.mjs')], {
    cwd: pkg,
    env: {
      ...process.env,
      BENCH_NAME: 'device-check-bench',
      BENCH_QUICK: process.env.BENCH_QUICK ?? '1',
      // a real GPU is measured up to 4096² (its small sizes are launch-bound); a CPU rasteriser up to 1024²
      BENCH_SIZES:
        process.env.BENCH_SIZES ?? (cpuAdapter ? '128,256,512,1024' : '128,256,512,1024,2048,4096'),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 150_000,
  });
  const file = join(pkg, 'bench/results/device-check-bench.json');
  report.bench =
    bench.status === 0 && existsSync(file)
      ? JSON.parse(readFileSync(file, 'utf8'))
      : { exitCode: bench.status, error: String(bench.error ?? '') };
}

finish(report.suite.exitCode === 0 && report.bench?.rows ? 0 : 1);
