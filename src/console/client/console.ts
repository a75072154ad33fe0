/** The console's light client: htmx does the requests; this only starts what htmx cannot. */
import { watchLiveStream } from './live.ts';

watchLiveStream();
