import { Ionicons } from '@expo/vector-icons';
import { useState } from 'react';
import { Platform, Pressable, StyleSheet, Text, View } from 'react-native';

import { pushNeverAsked } from '@/features/notifications/permission';
import { useAskForPush } from '@/features/notifications/usePushRegistration';
import { ApiError, isRetryable } from '@/lib/errors';
import { formatBytes, formatDuration } from '@/lib/format';
import { Button } from '@/ui/Button';
import { Card } from '@/ui/Card';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { FileName } from '@/ui/FileName';
import { ProgressBar } from '@/ui/ProgressBar';
import { Screen } from '@/ui/Screen';
import { colors, radius, space, type } from '@/ui/theme';

import { InProgress } from './InProgress';
import { useCreateBatch } from '@/features/batches/queries';

import { pickVideo, pickVideos } from './pickVideo';
import { isUploadGone, useUpload } from './useUpload';

export function UploadScreen() {
  const upload = useUpload();
  const [pickError, setPickError] = useState<unknown>(null);
  const askForPush = useAskForPush();
  // The OS prompt comes after our own sentence, when the first upload starts (never at sign-in).
  const [explaining, setExplaining] = useState(false);
  const onUpload = async () => {
    if (await pushNeverAsked()) setExplaining(true);
    else upload.start();
  };
  const afterExplaining = (allow: boolean) => {
    setExplaining(false);
    if (allow) askForPush.mutate();
    upload.start();
  };

  const batch = useCreateBatch();
  /** Several videos go as one batch; a single one is the usual resumable upload. */
  const onPickSeveral = async () => {
    setPickError(null);
    try {
      const videos = await pickVideos();
      if (videos.length === 1 && videos[0]) upload.choose(videos[0]);
      else if (videos.length > 1) batch.mutate(videos);
    } catch (error) {
      setPickError(error);
    }
  };

  const onPick = async () => {
    setPickError(null);
    try {
      const video = await pickVideo();
      if (video) upload.choose(video);
    } catch (error) {
      setPickError(error);
    }
  };

  const percent =
    upload.progress && upload.progress.totalBytes > 0
      ? (upload.progress.bytesSent / upload.progress.totalBytes) * 100
      : 0;
  const sizeLine = `${formatBytes(upload.progress?.bytesSent ?? 0)} of ${formatBytes(upload.progress?.totalBytes || upload.video?.sizeBytes)}`;
  const cancelled = upload.error instanceof ApiError && upload.error.code === 'upload_cancelled';
  // A refusal of the file itself (not a video, too large) is the whole story: no bar at "100 %"
  // beside "Not a video we can read".
  const showProgress = (upload.uploading || !!upload.progress) && (!upload.error || isRetryable(upload.error));
  const sending = batch.isPending ? (batch.variables ?? []) : [];
  const sentPercent = batch.sent && batch.sent.total > 0 ? (batch.sent.sent / batch.sent.total) * 100 : 0;

  return (
    <Screen testID="upload-screen">
      <View style={styles.intro}>
        <Text style={type.title} role="heading" aria-level={1}>
          Analyse a video
        </Text>
        <Text style={styles.lead}>
          Upload a clip and get its scenes, motion, highlights and quality checks.
          {Platform.OS === 'web' ? ' History shows it when it’s ready.' : ' We’ll let you know when it’s ready.'}
        </Text>
      </View>

      {!upload.video ? (
        <Pressable
          accessibilityRole="button"
          accessibilityLabel="Choose a video"
          accessibilityState={{ disabled: batch.isPending }}
          disabled={batch.isPending}
          onPress={() => void onPick()}
          style={({ pressed }) => [styles.drop, pressed && styles.dropPressed, batch.isPending && styles.dropDisabled]}
          testID="pick-video"
        >
          <View style={styles.dropIcon}>
            <Ionicons name="videocam" size={30} color={colors.accent} />
          </View>
          <Text style={type.heading}>Choose a video</Text>
          <Text style={type.small}>MP4, MOV, MKV or WebM from your library</Text>
        </Pressable>
      ) : null}
      {sending.length > 0 ? (
        <Card title={`Sending ${sending.length} videos`} testID="batch-sending">
          <ProgressBar percent={sentPercent} label="Sending progress" testID="batch-send-progress" />
          <Text style={type.small} testID="batch-send-status">
            {batch.sent
              ? `${formatBytes(batch.sent.sent)} of ${formatBytes(batch.sent.total)} sent. The batch opens when all of it has arrived.`
              : 'Starting…'}
          </Text>
          {sending.map((video) => (
            <FileName key={video.uri} name={video.name} style={type.body} lines={1} />
          ))}
          <Button label="Stop sending" variant="danger" onPress={batch.cancel} testID="batch-send-cancel" />
        </Card>
      ) : null}
      {!upload.video ? (
        batch.isPending ? null : (
          <Button label="Choose several videos" variant="ghost" onPress={() => void onPickSeveral()} testID="pick-several" />
        )
      ) : (
        <Card testID="picked-video">
          <View style={styles.fileRow}>
            <Ionicons name="film-outline" size={26} color={colors.accent} />
            <FileName name={upload.video.name} style={[type.heading, styles.fileName]} testID="picked-name" />
          </View>
          <View style={styles.facts}>
            <Fact label="Size" value={formatBytes(upload.video.sizeBytes)} testID="picked-size" />
            <Fact label="Duration" value={formatDuration(upload.video.durationS)} testID="picked-duration" />
          </View>
          {showProgress ? (
            <View style={styles.progress}>
              <ProgressBar percent={percent} label="Upload progress" testID="upload-progress" />
              <Text style={type.small} testID="upload-status">
                {uploadStatus(upload, sizeLine)}
              </Text>
            </View>
          ) : null}
          {upload.stalled ? <ErrorNotice error={upload.stalled} /> : null}
          {upload.error && !cancelled ? <ErrorNotice error={upload.error} /> : null}
          {explaining ? (
            <View style={styles.explain} testID="push-explanation">
              <Text style={type.heading} role="heading" aria-level={3}>
                Get told when it’s ready?
              </Text>
              <Text style={type.body}>
                Clipscope sends one notification when an analysis ends, so you can leave the app while it works. Your
                phone asks you next.
              </Text>
              <Button label="Allow notifications" onPress={() => afterExplaining(true)} testID="allow-push" />
              <Button label="Not now" variant="ghost" onPress={() => afterExplaining(false)} testID="skip-push" />
            </View>
          ) : upload.uploading ? (
            <Button label="Stop the upload" variant="danger" onPress={upload.cancel} testID="cancel-upload" />
          ) : (
            <>
              {isUploadGone(upload.error) ? (
                <Button label="Start again" onPress={() => void upload.startAgain()} testID="start-again" />
              ) : null}
              {!upload.error || isRetryable(upload.error) ? (
                <Button
                  label={cancelled ? 'Resume the upload' : upload.error ? 'Try again' : 'Upload and analyse'}
                  onPress={() => void onUpload()}
                  testID="upload-button"
                />
              ) : null}
              <Button
                label="Choose another video"
                variant={upload.error && !isRetryable(upload.error) && !isUploadGone(upload.error) ? 'primary' : 'ghost'}
                onPress={() => void onPick()}
                testID="choose-another"
              />
            </>
          )}
        </Card>
      )}
      {pickError ? <ErrorNotice error={pickError} /> : null}
      {batch.error ? <ErrorNotice error={batch.error} /> : null}
      <InProgress />
    </Screen>
  );
}

/** The line under the bar: what is happening now, and what happens next without being asked. */
function uploadStatus(upload: ReturnType<typeof useUpload>, sizeLine: string): string {
  if (upload.stalled) return `Paused at ${sizeLine}: waiting for the server. It carries on by itself when it is back.`;
  if (upload.uploading) return `Uploading… ${sizeLine}`;
  if (upload.error instanceof ApiError && upload.error.code === 'upload_cancelled') {
    return `You stopped the upload at ${sizeLine}. The server keeps what arrived for a day: “Resume the upload” sends the rest.`;
  }
  return `Paused at ${sizeLine}. It carries on by itself when you come back to the app, or now with “Try again”.`;
}

function Fact({ label, value, testID }: { label: string; value: string; testID?: string }) {
  return (
    <View style={styles.fact}>
      <Text style={type.small}>{label}</Text>
      <Text style={styles.factValue} testID={testID}>
        {value}
      </Text>
    </View>
  );
}

const styles = StyleSheet.create({
  intro: { gap: space.sm, paddingTop: space.sm },
  lead: { ...type.body, color: colors.muted, lineHeight: 22 },
  drop: {
    borderWidth: 2,
    borderStyle: 'dashed',
    borderColor: colors.accentMuted,
    backgroundColor: colors.surface,
    borderRadius: radius.lg,
    paddingVertical: space.xxl + space.lg,
    alignItems: 'center',
    gap: space.sm,
  },
  dropPressed: { backgroundColor: colors.accentSoft },
  // Greyed while a batch is sent: one request at a time.
  dropDisabled: { opacity: 0.45 },
  dropIcon: {
    width: 64,
    height: 64,
    borderRadius: 32,
    backgroundColor: colors.accentSoft,
    alignItems: 'center',
    justifyContent: 'center',
    marginBottom: space.xs,
  },
  fileRow: { flexDirection: 'row', alignItems: 'center', gap: space.md },
  fileName: { flex: 1 },
  facts: { flexDirection: 'row', gap: space.md },
  fact: { flex: 1, backgroundColor: colors.background, borderRadius: radius.md, padding: space.md, gap: 2 },
  factValue: { ...type.heading, fontVariant: ['tabular-nums'] },
  progress: { gap: space.sm },
  explain: { gap: space.sm, backgroundColor: colors.accentSoft, borderRadius: radius.md, padding: space.md },
});
