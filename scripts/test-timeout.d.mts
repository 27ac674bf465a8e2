/** Types of test-timeout.mjs, for test files that scale a timeout of their own. */
export function timeoutScale(): number;
export function calibratedTimeout(base: number): number;
