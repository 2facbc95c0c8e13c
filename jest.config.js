// Jest 30 in native ESM mode (see ../shared/docs/toolchain.md §2): @swc/jest strips types,
// `tsc --noEmit` type-checks separately in `npm test`.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } },
    }],
  },
  testTimeout: 30000,
  // Native ESM keeps every test file's modules alive in one process: past ~120 files the in-band run ran out of
  // heap. With a limit, Jest runs the files in a worker and replaces it once it holds more than this after a file.
  workerIdleMemoryLimit: '1GB',
};
