export { ResultsScreen as default } from '@/features/results/ResultsScreen';
