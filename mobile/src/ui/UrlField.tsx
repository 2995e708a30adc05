import { TextField } from './TextField';

interface Props {
  value: string;
  onChangeText: (value: string) => void;
  testID: string;
}

/** The server address field, shared by sign-in and settings: a URL keyboard, no autocorrect. */
export function UrlField({ value, onChangeText, testID }: Props) {
  return (
    <TextField
      label="Server URL"
      value={value}
      onChangeText={onChangeText}
      autoCapitalize="none"
      autoCorrect={false}
      keyboardType="url"
      inputMode="url"
      testID={testID}
    />
  );
}
