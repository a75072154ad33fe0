import { api, sim, userPath } from './api.ts';
import { ClockBar } from './clock-bar.ts';
import type { Relayed } from './events-worker.ts';
import { byId } from './dom.ts';
import { renderInspector, type BreakKind } from './inspector.ts';
import { readLink, writeLink } from './links.ts';
import { Phone } from './phone.ts';
import type { Item, PlatformState, SimUser } from './types.ts';
import { UserList } from './users.ts';

/** The phone page: users, phones, the inspector and the clock, live over the event stream. */

const phonesEl = byId('phones');
const hint = byId('phones-hint');
const inspector = byId('inspector');
const liveState = byId('live-state');
const phones = new Map<string, Phone>();
let platform: PlatformState | undefined;
let inspected: number | undefined;

const report = (message: string) => {
  liveState.textContent = message;
};
const link = () => writeLink({ users: [...phones.keys()], item: inspected });

const clock = new ClockBar(report);
const users = new UserList(
  (user) => void openPhone(user),
  (openid) => phones.has(openid),
);

async function loadPlatform(): Promise<void> {
  platform = await api<PlatformState>('GET', sim('/platform'));
  for (const phone of phones.values()) phone.refreshHead();
}

async function openPhone(user: SimUser, focus = true): Promise<Phone> {
  const open = phones.get(user.openid);
  if (open) {
    if (focus) open.el.querySelector<HTMLInputElement>('input')?.focus();
    return open;
  }
  const phone = new Phone(user, {
    platform: () => platform,
    inspect: (item, from) => void inspect(item.id, from),
    close: closePhone,
    userChanged: (changed) => users.update(changed),
  });
  phones.set(user.openid, phone);
  void loadPlatform();
  hint.hidden = true;
  phonesEl.append(phone.el);
  users.read(user.openid);
  users.render();
  link();
  await phone.load();
  if (focus) phone.el.querySelector<HTMLInputElement>('input')?.focus();
  return phone;
}

function closePhone(phone: Phone): void {
  phones.delete(phone.openid);
  phone.el.remove();
  hint.hidden = phones.size > 0;
  users.render();
  link();
}

function closeInspector(): void {
  inspector.hidden = true;
  inspected = undefined;
  link();
}

/** Opens an item's exchange in the inspector, read fresh (a live item arrives without it). */
async function inspect(id: number, phone: Phone): Promise<void> {
  const { item } = await api<{ item: Item }>('GET', userPath(phone.openid, `/timeline/${id}`));
  const action = phone.actionFor(item);
  renderInspector(byId('inspector-body'), item, {
    canBreak:
      Array.isArray(item.record?.tries) &&
      action?.action !== undefined &&
      action.action.type !== 'follow',
    breakIt: (kind) => void breakIt(kind, action!, phone),
    close: closeInspector,
  });
  inspector.hidden = false;
  inspected = item.id;
  for (const each of phones.values()) each.reveal(each === phone ? item.id : -1);
  link();
  byId('inspector-title').focus();
}

/** Sends the action again, spoilt (or after injecting a callback delay), and inspects it. */
async function breakIt(kind: BreakKind, sent: Item, phone: Phone): Promise<void> {
  const { msgId: _msgId, break: _break, ...action } = sent.action ?? {};
  if (kind === 'timeout')
    await api('POST', sim('/faults'), { callback: { delayMs: 6000, times: 3 } });
  const items = await phone.act(kind === 'timeout' ? action : { ...action, break: kind });
  if (items[0]) await inspect(items[0].id, phone);
}

const onEvent: Record<string, (data: string) => void> = {
  timeline(data) {
    const item = JSON.parse(data) as Item;
    const phone = phones.get(item.openid);
    if (phone) phone.add(item);
    else users.bump(item.openid);
  },
  clock(data) {
    clock.show((JSON.parse(data) as { to: string }).to);
    void clock.loadSchedule();
  },
  menu() {
    void loadPlatform();
  },
  reset() {
    for (const phone of phones.values()) closePhone(phone);
    void users.load();
  },
};

function relayed(message: Relayed): void {
  if (message.type === 'open') {
    report('live');
    // What happened while the stream was not open (before it first opened, or while it
    // reconnected) came as no event: read it again.
    void loadPlatform();
    void clock.load().catch(() => {});
    void users.load().catch(() => {});
    for (const phone of phones.values()) void phone.catchUp().catch(() => {});
  } else if (message.type === 'error') report('reconnecting…');
  else onEvent[message.event]?.(message.data);
}

/** The live stream: shared by every tab through a SharedWorker, or this tab's own. */
function listen(): void {
  if ('SharedWorker' in window) {
    const worker = new SharedWorker('/assets/phone/events.js', { name: 'oasim-phone-events' });
    worker.port.addEventListener('message', (event: MessageEvent<Relayed>) => relayed(event.data));
    worker.port.start();
    addEventListener('pagehide', () => worker.port.postMessage('bye'));
    return;
  }
  const events = new EventSource(sim('/events'));
  events.addEventListener('open', () => relayed({ type: 'open' }));
  events.addEventListener('error', () => relayed({ type: 'error' }));
  for (const event of Object.keys(onEvent))
    events.addEventListener(event, (e) =>
      relayed({ type: 'event', event, data: (e as MessageEvent<string>).data }),
    );
}

async function boot(): Promise<void> {
  listen();
  await Promise.all([loadPlatform(), users.load(), clock.load()]);
  const wanted = readLink();
  for (const openid of wanted.users) {
    const user =
      users.get(openid) ??
      (await api<{ user: SimUser }>('GET', userPath(openid)).then(
        (r) => r.user,
        () => undefined,
      ));
    if (user) await openPhone(user, false);
  }
  const first = phones.values().next().value;
  if (wanted.item && first)
    await inspect(wanted.item, first).catch(() => report(`no item ${wanted.item} here`));
  document.body.dataset.ready = 'true';
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !inspector.hidden && inspector.contains(document.activeElement))
    closeInspector();
});

boot().catch((error: unknown) =>
  report(error instanceof Error ? error.message : 'the page failed to start'),
);
