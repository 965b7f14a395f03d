interface FieldProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  placeholder?: string;
  inputMode?: "numeric" | "decimal";
  /** A select of these `[value, text]` choices instead of a text input. */
  choices?: ReadonlyArray<readonly [string, string]>;
}

/** A labelled text input or select: the label names the control for assistive tech and tests. */
export function Field({ label, value, onValue, choices, ...input }: FieldProps) {
  return (
    <label>
      {label}{" "}
      {choices ? (
        <select value={value} onChange={(e) => onValue(e.currentTarget.value)}>
          {choices.map(([choice, text]) => (
            <option key={choice} value={choice}>
              {text}
            </option>
          ))}
        </select>
      ) : (
        <input value={value} onInput={(e) => onValue(e.currentTarget.value)} {...input} />
      )}
    </label>
  );
}
