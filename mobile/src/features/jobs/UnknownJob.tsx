import { useRouter } from 'expo-router';
import { Text } from 'react-native';

import { Button } from '@/ui/Button';
import { Card } from '@/ui/Card';
import { type } from '@/ui/theme';

/** A link to a job that does not exist (deleted, expired, or someone else's): a way back. */
export function UnknownJob() {
  const router = useRouter();
  return (
    <Card title="This video is not here" testID="unknown-job">
      <Text style={type.body}>
        It may have been deleted, or it was uploaded with another account. Your videos are in History.
      </Text>
      <Button label="Go to History" onPress={() => router.dismissTo('/history')} testID="go-history" />
    </Card>
  );
}
