export { TabsLayout as default } from '@/features/shell/TabsLayout';
