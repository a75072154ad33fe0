import { h } from './dom.ts';
import type { Exchange, Item, Try } from './types.ts';

export type BreakKind = 'signature' | 'nonce' | 'appid' | 'timeout';

const BREAKS: { kind: BreakKind; label: string; what: string }[] = [
  { kind: 'signature', label: 'Bad signature', what: 'signed with a wrong token' },
  { kind: 'nonce', label: 'Replayed nonce', what: 'the same signed request sent twice' },
  { kind: 'appid', label: 'Wrong AppID', what: 'encrypted for another AppID' },
  { kind: 'timeout', label: 'Callback timeout', what: 'the next answers count as later than 5 s' },
];

const pre = (text: string, label: string) =>
  h('figure', { class: 'raw' }, h('figcaption', {}, label), h('pre', { tabindex: 0 }, text));

const row = (name: string, value: string | Node) =>
  h('div', { class: 'kv' }, h('dt', {}, name), h('dd', {}, value));

const OUTCOME_WORDS: Record<Exchange['verdict']['outcome'], string> = {
  none: 'nothing shown: the account answered empty or "success"',
  shown: 'shown on the phone',
  dropped: 'dropped by the platform',
  unavailable: 'no try succeeded: the phone shows "该公众号暂时无法提供服务，请稍后再试"',
  refused: 'refused by the account',
};

function isExchange(
  record: Record<string, unknown> | undefined,
): record is Record<string, unknown> & Exchange {
  return !!record && Array.isArray(record.tries) && typeof record.xml === 'string';
}

/** How the platform computed a try's signatures: SHA-1 of the sorted parts, joined. */
function signatureBlock(t: Try): HTMLElement {
  const parts = ['‹token›', t.signed.timestamp, t.signed.nonce];
  const lines = [
    `signature = sha1(sort(${parts.map((p) => JSON.stringify(p)).join(', ')}).join(""))`,
    `          = ${t.query.signature ?? '(none)'}`,
  ];
  if (t.signed.encrypt) {
    const cipher = `${t.signed.encrypt.slice(0, 24)}…`;
    lines.push(
      `msg_signature = sha1(sort("‹token›", "${t.signed.timestamp}", "${t.signed.nonce}", "${cipher}").join(""))`,
      `              = ${t.query.msg_signature ?? '(none)'}`,
    );
  }
  return pre(lines.join('\n'), 'Signature (the token is the account’s secret, left out)');
}

function tryBlock(t: Try, index: number, count: number): HTMLElement {
  const latency = t.injectedDelayMs
    ? `${t.latencyMs} ms + ${t.injectedDelayMs} ms injected delay`
    : `${t.latencyMs} ms`;
  return h(
    'section',
    { class: 'try' },
    h('h4', {}, `Try ${index + 1} of ${count}`),
    h(
      'dl',
      {},
      row('Status', t.status === undefined ? 'no answer' : String(t.status)),
      row('Latency', latency),
      t.failure ? row('Did not count', t.failure) : null,
    ),
    pre(new URLSearchParams(t.query).toString(), 'Query as sent'),
    signatureBlock(t),
    pre(t.request, 'Request body as sent'),
    pre(t.response ?? '(nothing)', 'Reply as received'),
  );
}

function exchangeView(exchange: Exchange): HTMLElement[] {
  const { verdict } = exchange;
  const rule =
    verdict.outcome === 'dropped'
      ? verdict.rule
      : verdict.outcome === 'refused'
        ? verdict.reason
        : undefined;
  const replyXml =
    verdict.outcome === 'shown' || verdict.outcome === 'dropped' ? verdict.xml : undefined;
  return [
    h(
      'dl',
      { class: 'summary' },
      row('Outcome', OUTCOME_WORDS[verdict.outcome] ?? verdict.outcome),
      rule ? row('Rule broken', rule) : null,
      row('Callback', exchange.url),
      row('Mode', exchange.encrypted ? 'encrypted (AES)' : 'plaintext'),
      exchange.break ? row('Broken on purpose', exchange.break) : null,
      row('Tries', String(exchange.tries.length)),
      row('Latency', exchange.tries.map((t) => `${t.latencyMs} ms`).join(', ')),
    ),
    pre(exchange.xml, exchange.encrypted ? 'Request, decrypted' : 'Request'),
    replyXml
      ? pre(replyXml, exchange.encrypted ? 'Reply, decrypted' : 'Reply')
      : h('p', { class: 'muted' }, 'No reply XML to show.'),
    ...exchange.tries.map((t, i, all) => tryBlock(t, i, all.length)),
  ];
}

/** Fills the inspector with one item's exchange, and "Break it" when it came from an action. */
export function renderInspector(
  target: HTMLElement,
  item: Item,
  options: { canBreak: boolean; breakIt(kind: BreakKind): void; close(): void },
): void {
  const head = h(
    'div',
    { class: 'inspector-head' },
    h('p', {}, `Item ${item.id} · ${item.source} · ${item.at}`),
    h(
      'button',
      { type: 'button', onclick: options.close, 'aria-label': 'Close the inspector' },
      'Close',
    ),
  );
  const body: Node[] = [head];
  if (isExchange(item.record)) body.push(...exchangeView(item.record));
  else if (item.record)
    body.push(pre(JSON.stringify(item.record, null, 2), 'How it arrived (the platform’s record)'));
  else body.push(h('p', { class: 'muted' }, 'This item has no recorded exchange.'));
  if (item.error) body.push(h('p', { class: 'error' }, item.error.message));
  if (options.canBreak)
    body.push(
      h(
        'section',
        { class: 'break-it', 'aria-labelledby': 'break-title' },
        h('h3', { id: 'break-title' }, 'Break it'),
        h(
          'p',
          { class: 'muted' },
          'Send the same action again, spoilt, and see what the account does:',
        ),
        ...BREAKS.map(({ kind, label, what }) =>
          h(
            'button',
            {
              type: 'button',
              title: what,
              'data-break': kind,
              onclick: () => options.breakIt(kind),
            },
            label,
          ),
        ),
      ),
    );
  target.replaceChildren(...body);
}
