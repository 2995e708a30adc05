export { BatchScreen as default } from '@/features/batches/BatchScreen';
