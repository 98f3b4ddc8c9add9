#!/usr/bin/env node
// A step of `npm run build` (after tsc, before the bundle): compiles the row kernel,
// kernel/runs.ts (AssemblyScript), to dist/dataset/runs.wasm, where the program loads it
// (src/dataset/range-kernel.ts). The build stops if the compiler reports an error.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'dist/dataset/runs.wasm');
mkdirSync(path.dirname(out), { recursive: true });
// -O3, no runtime (the kernel allocates nothing), no assertions: the JavaScript side sizes
// every region it hands the kernel.
const { error, stderr } = await asc.main([path.join(root, 'kernel/runs.ts'), '-O3', '--runtime', 'stub', '--noAssert', '--enable', 'simd', '--outFile', out]);
if (error) {
  process.stderr.write(stderr.toString());
  throw new Error(`kernel: ${error.message}`);
}
