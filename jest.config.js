// Nest 12 and jose 6 ship ES modules only. Jest's CommonJS runtime cannot load them (jwks-rsa
// issues #493/#507), so @swc/jest compiles our TypeScript *and* those packages to CommonJS.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

const esmOnly = [
  '@nestjs',
  'jose',
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  // openid-client v6 (interoperability e2e) and its ES-module dependency.
  'openid-client',
  'oauth4webapi',
];

module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  testMatch: [
    '<rootDir>/libs/**/*.spec.ts',
    '<rootDir>/apps/**/*.spec.ts',
    '<rootDir>/test/**/*.e2e-spec.ts',
  ],
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^@app/auth/testing$': '<rootDir>/libs/auth/testing',
    '^@app/auth-client$': '<rootDir>/libs/auth-client/src',
    '^@app/auth$': '<rootDir>/libs/auth/src',
  },
  collectCoverageFrom: ['libs/auth/src/**/*.ts', '!libs/auth/src/**/*.spec.ts'],
  coverageReporters: ['text-summary', 'lcov'],
  testTimeout: 20000,
};
