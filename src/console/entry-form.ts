import type { Entry } from '../content/entry.ts';
import type { NewEntry } from '../content/write-entry.ts';
import { html, type SafeHtml } from '../web/html.ts';

/** What the form holds, as typed: shown back as it was when the form is refused. */
export interface EntryFormValues {
  id: string;
  title: string;
  date: string;
  summary: string;
  keywords: string;
  topics: string[];
  url: string;
  cover: string;
  author: string;
  body: string;
}

export const EMPTY_FORM: EntryFormValues = {
  id: '',
  title: '',
  date: '',
  summary: '',
  keywords: '',
  topics: [],
  url: '',
  cover: '',
  author: '',
  body: '',
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const list = (value: unknown) =>
  (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');

/** The posted form (urlencoded), every field as text. */
export function readEntryForm(body: Record<string, unknown>): EntryFormValues {
  return {
    id: text(body.id).trim(),
    title: text(body.title),
    date: text(body.date).trim(),
    summary: text(body.summary),
    keywords: text(body.keywords),
    topics: list(body.topics),
    url: text(body.url).trim(),
    cover: text(body.cover).trim(),
    author: text(body.author),
    body: text(body.body),
  };
}

/** The form's values as an entry's fields: empty optional fields are left out. */
export function toNewEntry(form: EntryFormValues): NewEntry {
  const optional = (value: string) => (value.trim() === '' ? undefined : value);
  const keywords = form.keywords
    .split(/[,，、\n]/)
    .map((k) => k.trim())
    .filter(Boolean);
  return {
    id: form.id,
    title: form.title,
    date: form.date,
    summary: optional(form.summary),
    keywords: keywords.length ? keywords : undefined,
    topics: form.topics.length ? form.topics : undefined,
    url: optional(form.url),
    cover: optional(form.cover),
    author: optional(form.author),
    body: form.body,
  };
}

export function formOf(entry: Entry): EntryFormValues {
  return {
    id: entry.id,
    title: entry.title,
    date: entry.date,
    summary: entry.summary,
    keywords: entry.keywords.join(', '),
    topics: entry.topics,
    url: entry.url ?? '',
    cover: entry.cover ?? '',
    author: entry.author ?? '',
    body: entry.body,
  };
}

/**
 * The entry editor: its fields with labels and hints, the body beside its preview (htmx
 * posts the form to the preview route as the body changes), and the refusal in words.
 */
export function entryForm({
  values,
  action,
  creating,
  topics,
  csrf,
  error,
}: {
  values: EntryFormValues;
  action: string;
  creating: boolean;
  topics: string[];
  csrf: string;
  error?: string;
}): SafeHtml {
  const field = (name: keyof EntryFormValues, label: string, hint?: string, required = false) =>
    html`<label for="entry-${name}">${label}</label>
      <input
        id="entry-${name}"
        name="${name}"
        value="${String(values[name])}"
        ${required ? html`required` : ''}
        ${hint ? html`aria-describedby="entry-${name}-hint"` : ''}
      />
      ${hint ? html`<small id="entry-${name}-hint">${hint}</small>` : ''}`;
  return html`<form method="post" action="${action}" class="entry-form" id="entry-form">
    <input type="hidden" name="_csrf" value="${csrf}" />
    ${error ? html`<p class="error" role="alert" id="form-error">${error}</p>` : ''}
    <div class="fields">
      ${
        creating
          ? field('id', 'Id', 'The file name: letters, digits, "-" or "_"', true)
          : html`<input type="hidden" name="id" value="${values.id}" />`
      }
      ${field('title', 'Title', undefined, true)}
      ${field(
        'date',
        'Date',
        'ISO 8601: 2021-01-18, or 2021-01-18T09:00+08:00. A future date is scheduled: no user sees the entry before then.',
        true,
      )}
      ${field('summary', 'Summary', 'The line under the title on the article card')}
      ${field('keywords', 'Keywords', 'Separated by commas')}
      <fieldset class="topics">
        <legend>Topics</legend>
        ${
          topics.length
            ? topics.map(
                (topic) =>
                  html`<label
                    ><input
                      type="checkbox"
                      name="topics"
                      value="${topic}"
                      ${values.topics.includes(topic) ? html`checked` : ''}
                    />
                    ${topic}</label
                  >`,
              )
            : html`<small>rules.yaml declares no topics.</small>`
        }
      </fieldset>
      ${field('url', 'Link', 'Where the card leads; left empty, to the entry page here')}
      ${field('cover', 'Cover', 'An http(s) picture for the card')} ${field('author', 'Author')}
    </div>
    <div class="editor">
      <div>
        <label for="entry-body">Body (Markdown)</label>
        <textarea
          id="entry-body"
          name="body"
          rows="16"
          hx-post="/admin/entries/preview"
          hx-trigger="input changed delay:300ms, load"
          hx-target="#entry-preview"
          hx-include="#entry-form"
        >
${values.body}</textarea>
      </div>
      <section aria-labelledby="preview-title">
        <h2 id="preview-title">Preview</h2>
        <div id="entry-preview" class="entry-preview" aria-live="polite"></div>
      </section>
    </div>
    <button type="submit">${creating ? 'Create entry' : 'Save changes'}</button>
  </form>`;
}
