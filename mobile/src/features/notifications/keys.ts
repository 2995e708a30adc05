/** Push registration is per server and account: a new sign-in registers the device again. */
export function pushRegistrationKey(serverUrl: string, email: string | null) {
  return ['push-registration', serverUrl, email] as const;
}
