// Prints "N passed, N failed" from a vitest JSON result. A missing or unreadable result counts as one failure,
// and so does a run whose suites failed to load (numFailedTestSuites) even when no single test failed.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-result.json';
let result;
try {
  result = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`vitest result ${file} unreadable: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const passed = result.numPassedTests ?? 0;
const failedSuites = (result.testResults ?? []).filter((s) => s.status === 'failed' && (s.assertionResults ?? []).length === 0).length;
const failed = (result.numFailedTests ?? 0) + failedSuites;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
