export { UploadScreen as default } from '@/features/upload/UploadScreen';
