import { Router } from 'express';
import { html } from '../web/html.ts';
import { chartFigure, type ChartSpec } from './chart-figure.ts';
import type { ConsoleDeps } from './console-routes.ts';
import { foldIntoDays, lastDays, startOfDay } from './day-series.ts';
import { consolePage } from './shell.ts';

/** How many days the "per day" charts cover, today included. */
export const DASHBOARD_DAYS = 14;
const TOP_UNANSWERED = 10;
const TOP_RULES = 15;
const STATES = ['active', 'unsubscribed', 'blocked'] as const;

/** The dashboard's charts, from the stores, as of `now`, in the account's time zone. */
export async function dashboardCharts(deps: ConsoleDeps): Promise<ChartSpec[]> {
  const { stats, timeZone } = deps;
  const days = lastDays(deps.now(), timeZone, DASHBOARD_DAYS);
  const since = startOfDay(days[0]!, timeZone);
  await deps.conversations.flush();

  const bySubscriber = await stats.subscribersByChannelState();
  const channels = [...new Set(bySubscriber.map((row) => row.channel))];
  const count = (channel: string, state: string) =>
    bySubscriber.find((row) => row.channel === channel && row.state === state)?.count ?? 0;

  const messages = foldIntoDays(await stats.messagesIn(since), days, timeZone);
  const settled = await stats.deliveriesSettled(since);
  const deliveries = (status: 'sent' | 'failed') =>
    foldIntoDays(
      settled.filter((row) => row.status === status),
      days,
      timeZone,
    ).values;
  const unanswered = await deps.conversations.unanswered(TOP_UNANSWERED);
  const hits = await ruleHits(deps, since);

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
      id: 'rule-hits',
      caption: `Keyword rule hits (last ${DASHBOARD_DAYS} days)`,
      kind: 'bar',
      horizontal: true,
      labels: hits.map((row) => row.rule),
      series: [{ name: 'hits', values: hits.map((row) => row.hits) }],
      empty: deps.engine.rules().rules.length
        ? `No keyword rule answered anything in the last ${DASHBOARD_DAYS} days.`
        : 'There are no keyword rules (messages/rules.yaml).',
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

/**
 * Hits per keyword rule since `since`, most first; the rules in use that had none follow
 * with 0 (a rule nobody triggers is worth seeing), up to TOP_RULES.
 */
async function ruleHits(deps: ConsoleDeps, since: Date): Promise<{ rule: string; hits: number }[]> {
  const counted = await deps.conversations.ruleHits(since);
  const seen = new Set(counted.map((row) => row.rule));
  const idle = deps.engine
    .rules()
    .rules.filter((rule) => !seen.has(rule.name))
    .map((rule) => ({ rule: rule.name, hits: 0 }));
  return [...counted, ...idle].slice(0, TOP_RULES);
}

/** Dashboard: the account at a glance, as charts (each with its numbers for screen readers). */
export function dashboardSection(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const charts = await dashboardCharts(deps);
    res.type('html').send(
      consolePage(deps.access, req, {
        title: 'Dashboard',
        section: '/admin',
        charts: true,
        body: html`<div class="charts">${charts.map(chartFigure)}</div>`,
      }),
    );
  });
  return router;
}
