export { JobScreen as default } from '@/features/jobs/JobScreen';
