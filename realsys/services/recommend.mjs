/** Recommendations: slow, leaf, a small pool. */
import { runService } from '../lib/service.mjs';

runService('recommend', {
  async 'GET /recs'(ctx) {
    await ctx.work('GET /recs');
    return 200;
  },
});
