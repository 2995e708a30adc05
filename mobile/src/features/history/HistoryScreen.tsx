import { Ionicons } from '@expo/vector-icons';
import { Stack, useIsFocused, useRouter } from 'expo-router';
import { FlatList, Platform, Pressable, RefreshControl, StyleSheet, Text, View } from 'react-native';

import { useBatchList } from '@/features/batches/queries';
import { useCancelJob, useDeleteJob, useJobList, useRetryJob } from '@/features/jobs/queries';
import { RefreshButton } from '@/features/shell/ScreenHeader';
import { useManualRefresh } from '@/features/shell/useManualRefresh';
import { queryProblem } from '@/lib/problem';
import { Button } from '@/ui/Button';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { Card } from '@/ui/Card';
import { colors, MIN_TAP, space, type } from '@/ui/theme';

import { JobRow, type RowActions } from './JobRow';

/** The server's list is the truth: it is also how running jobs are found again after a restart. */
export function HistoryScreen() {
  const list = useJobList(useIsFocused());
  const problem = queryProblem(list);
  const { refresh, refreshing } = useManualRefresh(list);
  const remove = useDeleteJob();
  const retry = useRetryJob();
  const cancel = useCancelJob();
  const jobs = list.data?.pages.flatMap((page) => page.jobs) ?? [];
  const busy: RowActions['busy'] = remove.isPending && remove.variables
    ? { id: remove.variables, action: 'delete' }
    : retry.isPending && retry.variables
      ? { id: retry.variables, action: 'retry' }
      : cancel.isPending && cancel.variables
        ? { id: cancel.variables, action: 'cancel' }
        : null;
  const actions: RowActions = {
    onDelete: (id) => remove.mutate(id),
    onRetry: (id) => retry.mutate(id),
    onCancel: (id) => cancel.mutate(id),
    busy,
  };
  const actionError = remove.error ?? retry.error ?? cancel.error;

  return (
    <FlatList
      style={styles.list}
      contentContainerStyle={styles.content}
      data={jobs}
      keyExtractor={(job) => job.id}
      testID="history-screen"
      refreshControl={
        <RefreshControl refreshing={refreshing} onRefresh={refresh} />
      }
      ListHeaderComponent={
        <View style={styles.header}>
          {Platform.OS === 'web' ? (
            <Stack.Screen options={{ headerRight: () => <RefreshButton onPress={refresh} busy={refreshing} /> }} />
          ) : null}
          {problem ? <ErrorNotice error={problem} onRetry={refresh} /> : null}
          {actionError ? <ErrorNotice error={actionError} /> : null}
          <RecentBatches />
        </View>
      }
      ListEmptyComponent={
        list.isPending || problem ? undefined : (
          <View style={styles.empty}>
            <Ionicons name="albums-outline" size={40} color={colors.muted} />
            <Text style={type.heading} role="heading" aria-level={2}>
              No videos yet
            </Text>
            <Text style={type.small}>Videos you upload appear here, with their progress and results.</Text>
          </View>
        )
      }
      renderItem={({ item }) => (
        <JobRow job={item} actions={actions} />
      )}
      ItemSeparatorComponent={() => <View style={styles.separator} />}
      ListFooterComponent={
        list.hasNextPage ? (
          <Button
            label="Show older"
            variant="secondary"
            onPress={() => void list.fetchNextPage()}
            busy={list.isFetchingNextPage}
          />
        ) : undefined
      }
      ListFooterComponentStyle={styles.footer}
    />
  );
}

/** Batches sent lately: their page follows every video of the batch together. */
function RecentBatches() {
  const batches = useBatchList();
  const router = useRouter();
  const list = batches.data?.batches ?? [];
  if (list.length === 0) return null;
  return (
    <Card title="Batches" testID="recent-batches">
      {list.map((batch) => (
        <Pressable
          key={batch.id}
          onPress={() => router.push(`/batches/${batch.id}`)}
          accessibilityRole="button"
          accessibilityLabel={`Open the batch of ${batch.total} videos, ${batch.progress} %`}
          style={styles.batch}
          testID={`batch-row-${batch.id}`}
        >
          <Text style={type.body} numberOfLines={2}>
            {batch.total} videos: {batch.parts.map((part) => part.filename).join(', ')}
          </Text>
          <Text style={type.small}>
            {batch.counts.completed} of {batch.total} analysed · {batch.progress} %
          </Text>
        </Pressable>
      ))}
    </Card>
  );
}

const styles = StyleSheet.create({
  batch: { minHeight: MIN_TAP, justifyContent: 'center', gap: 2 },
  list: { flex: 1, backgroundColor: colors.background },
  content: { padding: space.lg, width: '100%', maxWidth: 640, alignSelf: 'center' },
  header: { gap: space.md, marginBottom: space.sm },
  empty: { alignItems: 'center', gap: space.sm, paddingVertical: space.xxl * 2 },
  separator: { height: space.md },
  footer: { marginTop: space.lg },
});
