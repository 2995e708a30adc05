import { Image, type ImageStyle, type StyleProp } from 'react-native';

import { useApi } from '@/features/auth/session';

interface Props {
  path: string;
  style: StyleProp<ImageStyle>;
  accessibilityLabel: string;
  testID?: string;
}

/** Thumbnails need the bearer token; React Native's Image sends request headers on phones. */
export function AuthImage({ path, style, accessibilityLabel, testID }: Props) {
  const api = useApi();
  return (
    <Image
      source={{ uri: api.url(path), headers: api.authHeaders() }}
      style={style}
      resizeMode="cover"
      accessibilityLabel={accessibilityLabel}
      testID={testID}
    />
  );
}
