import { fireEvent, screen } from 'expo-router/testing-library';

import { installFetch } from '@/testing/fetchMock';
import { renderApp } from '@/testing/renderApp';

test('"hello world" is not a web address (never "Offline … hello%20world"), and Change can be cancelled', async () => {
  const net = installFetch({});
  renderApp('/sign-in');

  fireEvent.press(await screen.findByTestId('change-server'));
  fireEvent.changeText(screen.getByTestId('server-url-input'), 'hello world');
  fireEvent.press(screen.getByTestId('save-server'));

  expect(await screen.findByText('Not a web address')).toBeTruthy();
  expect(screen.getByText('"hello world" is not a web address. Use one like http://192.168.1.20:8000.')).toBeTruthy();
  expect(net.calls).toHaveLength(0);

  fireEvent.press(screen.getByTestId('cancel-server'));
  expect(await screen.findByTestId('change-server')).toBeTruthy();
  expect(screen.queryByTestId('server-url-input')).toBeNull();
});
