import { focusManager } from '@tanstack/react-query';
import { AppState, type AppStateStatus } from 'react-native';

/**
 * TanStack Query pauses interval refetches while unfocused and refetches stale queries when focus
 * returns; on a phone "focused" means the app is in the foreground, which AppState tells
 * (react-native-web maps it to the page's visibility, so browsers behave the same).
 */
export function wireAppStateFocus(): () => void {
  focusManager.setEventListener((setFocused) => {
    const onChange = (state: AppStateStatus) => setFocused(state === 'active');
    const subscription = AppState.addEventListener('change', onChange);
    return () => subscription.remove();
  });
  return () => focusManager.setFocused(undefined);
}
