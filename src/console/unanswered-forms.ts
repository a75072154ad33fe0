import { html, type SafeHtml } from '../web/html.ts';

/** What the "make a keyword rule" form holds. */
export interface RuleForm {
  query: string;
  name: string;
  keyword: string;
  match: string;
  text: string;
  entries: string;
}

/** What the "draft an entry" form holds. */
export interface EntryForm {
  query: string;
  id: string;
  title: string;
  date: string;
  keywords: string;
  topics: string;
  summary: string;
  body: string;
}

const problemOf = (problem?: string) =>
  problem ? html`<p class="problem" role="alert" id="form-problem">${problem}</p>` : '';
const describedBy = (problem?: string) => (problem ? html` aria-describedby="form-problem"` : '');

/** The form that turns an unanswered query into a keyword rule of `rules.yaml`. */
export function ruleForm(form: RuleForm, csrf: string, problem?: string): SafeHtml {
  return html`<p>
      Users asked <strong>“${form.query}”</strong> and got the default reply. A rule makes the
      account answer it; it is appended to <code>messages/rules.yaml</code> and used at once.
    </p>
    ${problemOf(problem)}
    <form
      method="post"
      action="/admin/unanswered/rule"
      class="stacked-form"
      ${describedBy(problem)}
    >
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="query" value="${form.query}" />
      <label
        >Rule name
        <input name="name" value="${form.name}" required maxlength="60" />
        <span class="hint">1 to 60 characters, unique in the file.</span>
      </label>
      <label
        >Keyword
        <input name="keyword" value="${form.keyword}" required />
        <span class="hint">1 to 30 characters.</span>
      </label>
      <label
        >Match
        <select name="match">
          ${(
            [
              ['equal', 'the whole message equals the keyword'],
              ['contain', 'the message contains the keyword'],
              ['regex', 'a regular expression (RE2)'],
            ] as const
          ).map(
            ([value, words]) =>
              html`<option value="${value}" ${form.match === value ? html`selected` : ''}>
                ${value}: ${words}
              </option>`,
          )}
        </select>
      </label>
      <label
        >Reply text
        <textarea name="text" rows="4" maxlength="2000">${form.text}</textarea>
      </label>
      <label
        >Reply with entries
        <input name="entries" value="${form.entries}" />
        <span class="hint">Entry ids separated by commas (at most 8), sent as article cards.</span>
      </label>
      <p class="hint">Give a reply text, entries, or both (the text is sent first).</p>
      <div class="button-row">
        <button type="submit">Add the rule</button>
        <a href="/admin/unanswered">Cancel</a>
      </div>
    </form>`;
}

/** The form that writes an entry answering an unanswered query (as `POST /admin/api/entries`). */
export function entryForm(form: EntryForm, csrf: string, problem?: string): SafeHtml {
  return html`<p>
      Users asked <strong>“${form.query}”</strong>. An entry answering it is written to
      <code>messages/entries/&lt;id&gt;.md</code>; with the query as a keyword, the archive search
      finds it. A date in the future keeps it scheduled, unseen by users, until then.
    </p>
    ${problemOf(problem)}
    <form
      method="post"
      action="/admin/unanswered/entry"
      class="stacked-form"
      ${describedBy(problem)}
    >
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="query" value="${form.query}" />
      <label
        >Id <input name="id" value="${form.id}" required maxlength="100" />
        <span class="hint">The file name: letters, digits, "-" or "_".</span>
      </label>
      <label>Title <input name="title" value="${form.title}" required /></label>
      <label
        >Date <input name="date" value="${form.date}" required />
        <span class="hint"
          >ISO 8601, e.g. 2026-12-14 or 2026-12-14T09:00 (the account's zone).</span
        >
      </label>
      <label
        >Keywords <input name="keywords" value="${form.keywords}" />
        <span class="hint">Separated by commas.</span>
      </label>
      <label
        >Topics <input name="topics" value="${form.topics}" />
        <span class="hint">Separated by commas.</span>
      </label>
      <label>Summary <input name="summary" value="${form.summary}" /></label>
      <label
        >Body (Markdown)
        <textarea name="body" rows="10" required>${form.body}</textarea>
      </label>
      <div class="button-row">
        <button type="submit">Write the entry</button>
        <a href="/admin/unanswered">Cancel</a>
      </div>
    </form>`;
}
