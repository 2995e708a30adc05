/** expo-router/testing-library registers these matchers at runtime but ships no types for them. */
declare global {
  namespace jest {
    interface Matchers<R> {
      toHavePathname(pathname: string): R;
      toHavePathnameWithParams(pathname: string): R;
      toHaveSegments(segments: string[]): R;
    }
  }
}

export {};
