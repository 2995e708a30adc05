import { Ionicons } from '@expo/vector-icons';
import { FlatList, RefreshControl, StyleSheet, Text, View } from 'react-native';

import { useCancelJob, useDeleteJob, useJobList, useRetryJob } from '@/features/jobs/queries';
import { Button } from '@/ui/Button';
import { ErrorNotice } from '@/ui/ErrorNotice';
import { colors, space, type } from '@/ui/theme';

import { JobRow, type RowActions } from './JobRow';

/** The server's list is the truth: it is also how running jobs are found again after a restart. */
export function HistoryScreen() {
  const list = useJobList();
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
        <RefreshControl refreshing={list.isRefetching && !list.isFetchingNextPage} onRefresh={() => void list.refetch()} />
      }
      ListHeaderComponent={
        <View style={styles.header}>
          {list.error ? <ErrorNotice error={list.error} onRetry={() => void list.refetch()} /> : null}
          {actionError ? <ErrorNotice error={actionError} /> : null}
        </View>
      }
      ListEmptyComponent={
        list.isPending || list.error ? undefined : (
          <View style={styles.empty}>
            <Ionicons name="albums-outline" size={40} color={colors.muted} />
            <Text style={type.heading} role="heading">
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

const styles = StyleSheet.create({
  list: { flex: 1, backgroundColor: colors.background },
  content: { padding: space.lg, width: '100%', maxWidth: 640, alignSelf: 'center' },
  header: { gap: space.md, marginBottom: space.sm },
  empty: { alignItems: 'center', gap: space.sm, paddingVertical: space.xxl * 2 },
  separator: { height: space.md },
  footer: { marginTop: space.lg },
});
