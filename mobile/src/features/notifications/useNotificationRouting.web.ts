/** Browsers receive no push notifications from this app, so there are no taps to route. */
export function useNotificationRouting(_ready: boolean): void {}
