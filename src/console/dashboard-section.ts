import { Router } from 'express';
import { html } from '../web/html.ts';
import { chartFigure, type ChartSpec } from './chart-figure.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { foldIntoDays, lastDays, startOfDay } from './day-series.ts';
import { consolePage } from './shell.ts';

/** How many days the "per day" charts cover, today included. */
export const DASHBOARD_DAYS = 14;
const TOP_UNANSWERED = 10;
const STATES = ['active', 'unsubscribed', 'blocked'] as const;

/** The dashboard's charts, from the stores, as of `now`, in the account's time zone. */
export function dashboardCharts(deps: ConsoleDeps): ChartSpec[] {
  const { stats, timeZone } = deps;
  const days = lastDays(deps.now(), timeZone, DASHBOARD_DAYS);
  const since = startOfDay(days[0]!, timeZone);
  deps.conversations.flush();

  const bySubscriber = stats.subscribersByChannelState();
  const channels = [...new Set(bySubscriber.map((row) => row.channel))];
  const count = (channel: string, state: string) =>
    bySubscriber.find((row) => row.channel === channel && row.state === state)?.count ?? 0;

  const messages = foldIntoDays(stats.messagesIn(since), days, timeZone);
  const settled = stats.deliveriesSettled(since);
  const deliveries = (status: 'sent' | 'failed') =>
    foldIntoDays(
      settled.filter((row) => row.status === status),
      days,
      timeZone,
    ).values;
  const unanswered = deps.conversations.unanswered(TOP_UNANSWERED);

  return [
    {
      id: 'subscribers',
      caption: 'Subscribers by channel and state',
      kind: 'bar',
      stacked: true,
      labels: channels,
      series: STATES.map((state) => ({
        name: state,
        values: channels.map((channel) => count(channel, state)),
      })),
      empty: 'No subscribers yet.',
    },
    {
      id: 'messages',
      caption: `Messages from users per day (last ${DASHBOARD_DAYS} days, ${timeZone})`,
      kind: 'bar',
      labels: days,
      series: [{ name: 'messages', values: messages.values }],
      empty: `No messages in the last ${DASHBOARD_DAYS} days.`,
    },
    {
      id: 'unanswered',
      caption: `Unanswered queries (the ${TOP_UNANSWERED} asked most)`,
      kind: 'bar',
      horizontal: true,
      labels: unanswered.map((item) => item.query),
      series: [{ name: 'times asked', values: unanswered.map((item) => item.count) }],
      empty: 'Every query so far had an answer.',
    },
    {
      id: 'deliveries',
      caption: `Broadcast deliveries per day (last ${DASHBOARD_DAYS} days, ${timeZone})`,
      kind: 'bar',
      stacked: true,
      labels: days,
      series: [
        { name: 'sent', values: deliveries('sent') },
        { name: 'failed', values: deliveries('failed') },
      ],
      empty: `No deliveries in the last ${DASHBOARD_DAYS} days.`,
    },
  ];
}

/** Dashboard: the account at a glance, as charts (each with its numbers for screen readers). */
export function dashboardSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/', (req, res) => {
    res.type('html').send(
      consolePage(deps.access, req, {
        title: 'Dashboard',
        section: '/admin',
        charts: true,
        body: html`<div class="charts">${dashboardCharts(deps).map(chartFigure)}</div>`,
      }),
    );
  });
  return router;
}
