import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Image, View, type ImageStyle, type StyleProp } from 'react-native';

import { useAuthedApi } from '@/features/auth/session';
import { errorFromBody } from '@/lib/errors';
import { colors } from '@/ui/theme';

interface Props {
  path: string;
  style: StyleProp<ImageStyle>;
  accessibilityLabel: string;
  testID?: string;
}

/**
 * Browsers cannot add an Authorization header to <img>, so the image is fetched with it and
 * shown from an object URL (revoked when the image leaves the screen).
 */
export function AuthImage({ path, style, accessibilityLabel, testID }: Props) {
  const { api, enabled } = useAuthedApi();
  const image = useQuery({
    queryKey: ['thumbnail', api.url(path)],
    enabled,
    queryFn: async () => {
      const response = await fetch(api.url(path), { headers: api.authHeaders() });
      if (!response.ok) throw errorFromBody(response.status, null);
      return URL.createObjectURL(await response.blob());
    },
    staleTime: Infinity,
    gcTime: 0,
  });
  const objectUrl = image.data;
  useEffect(() => () => {
    if (objectUrl) URL.revokeObjectURL(objectUrl);
  }, [objectUrl]);

  if (!objectUrl) return <View style={[style, { backgroundColor: colors.track }]} testID={testID} />;
  return (
    <Image
      source={{ uri: objectUrl }}
      style={style}
      resizeMode="cover"
      accessibilityLabel={accessibilityLabel}
      testID={testID}
    />
  );
}
