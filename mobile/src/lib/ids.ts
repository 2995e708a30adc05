/** A random key for the Idempotency-Key header; uniqueness per user is all the server needs. */
export function newIdempotencyKey(): string {
  const native = globalThis.crypto?.randomUUID?.bind(globalThis.crypto);
  if (native) return native();
  // Hermes has no crypto.randomUUID; a v4-shaped id from Math.random is unique enough here.
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = Math.floor(Math.random() * 16);
    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}
