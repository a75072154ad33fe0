/** The console's light client: htmx does the requests; this only starts what htmx cannot. */
import { drawCharts } from './charts.ts';
import { watchLiveStream } from './live.ts';
import { startTimeTravel } from './time-travel.ts';

drawCharts();
startTimeTravel();
watchLiveStream();
