/** Browsers: the web build has no push, so there is nothing to explain. */
export async function pushNeverAsked(): Promise<boolean> {
  return false;
}
