/** Browsers have no secure store; localStorage is the fallback (same-origin, like any web session). */
function local(): Storage | null {
  return typeof window !== 'undefined' && window.localStorage ? window.localStorage : null;
}

export const storage = {
  getItem: async (key: string): Promise<string | null> => local()?.getItem(key) ?? null,
  setItem: async (key: string, value: string): Promise<void> => local()?.setItem(key, value),
  deleteItem: async (key: string): Promise<void> => local()?.removeItem(key),
};
