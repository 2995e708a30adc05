/** jest-expo compiles the app as Metro would (iOS platform files); tests live beside the code. */
module.exports = {
  preset: 'jest-expo',
  roots: ['<rootDir>/src'],
  setupFilesAfterEnv: ['<rootDir>/jest.setup.tsx'],
  moduleNameMapper: {
    '^@/(.*)$': '<rootDir>/src/$1',
    // expo 58.0.x imports this React Native entry point, which jest-expo 58.0.3's mapping misses
    // (the newer jest-expo that knows it is not on the registry here).
    '^react-native/unstable-internals-do-not-use$': '<rootDir>/node_modules/react-native/src/unstable-internals-do-not-use.js',
    // Metro resolves tus-js-client's "browser" build (XMLHttpRequest) on every platform; so does jest.
    '^tus-js-client$': '<rootDir>/node_modules/tus-js-client/lib.es5/browser/index.js',
  },
  // RN 0.88's test renderer commits asynchronously; screen tests wait on conditions, not time.
  testTimeout: 60000,
};
