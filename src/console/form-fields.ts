/** A form field as text: '' when absent or given more than once (a form sends each once). */
export function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** Words typed into one field, separated by commas or spaces (entry ids, topics). */
export function wordsOf(text: string): string[] {
  return text
    .split(/[,，\s]+/)
    .map((word) => word.trim())
    .filter(Boolean);
}

/** A form's optional text: undefined when left empty. */
export const optional = (text: string) => (text.trim() === '' ? undefined : text.trim());
