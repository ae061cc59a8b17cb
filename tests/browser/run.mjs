// CTest entry of the browser tests: skips (77) when playwright-core is not
// installed, else runs the given test files with node's test runner.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
if (!fs.existsSync(path.join(here, 'node_modules', 'playwright-core', 'package.json'))) {
  console.log('SKIP: tests/browser/node_modules/playwright-core is missing; run scripts/deps (or npm ci in tests/browser)');
  process.exit(77);
}
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.error(`${chromium} is missing; run scripts/deps`);
  process.exit(1);
}
const files = process.argv.slice(2);
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files], { cwd: here, stdio: 'inherit' });
process.exit(r.status ?? 1);
