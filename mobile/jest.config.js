/** jest-expo compiles the app as Metro would (iOS platform files); tests live beside the code. */
module.exports = {
  preset: 'jest-expo',
  roots: ['<rootDir>/src'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.ts'],
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
  // RN 0.88's test renderer commits asynchronously; a generous timeout keeps a 2-core CI calm.
  testTimeout: 20000,
};
