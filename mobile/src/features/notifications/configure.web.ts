/** Browsers get no push in this app (Expo push is for phones); nothing to configure. */
export function configureNotifications(): void {}
