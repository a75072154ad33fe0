/** One article of the account, as written in `messages/entries/<id>.md`. */
export interface Entry {
  id: string;
  title: string;
  /** The `date` field as written (ISO 8601). */
  date: string;
  /** When the entry counts as published; a date without a time means midnight in the account's time zone. */
  publishedAt: Date;
  summary: string;
  keywords: string[];
  topics: string[];
  url?: string;
  cover?: string;
  author?: string;
  body: string;
  /** Content hash of the source file: a changed file is re-indexed, an unchanged one is not. */
  hash: string;
}

/** An entry as a card in an articles reply. */
export interface Article {
  id: string;
  title: string;
  description: string;
  url: string;
  picUrl: string;
}
